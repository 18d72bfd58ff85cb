package dev.spillway.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Reads one HTTP/1.1 response with a chunked body from a raw socket stream, for full-duplex tests. */
final class ChunkedReader {
  private final InputStream in;
  private final String statusLine;
  private final String headers;

  ChunkedReader(InputStream in) throws IOException {
    this.in = in;
    this.statusLine = line();
    StringBuilder h = new StringBuilder();
    String l;
    while (!(l = line()).isEmpty()) {
      h.append(l.toLowerCase()).append('\n');
    }
    this.headers = h.toString();
    if (!headers.contains("transfer-encoding: chunked")) {
      throw new IOException("not a chunked response: " + statusLine + "\n" + headers);
    }
  }

  String statusLine() {
    return statusLine;
  }

  /** Reads every chunk into {@code digest} and returns the body length. */
  long readBody(MessageDigest digest) throws IOException {
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    while (true) {
      int size = Integer.parseInt(line().trim(), 16);
      if (size == 0) {
        line();
        return total;
      }
      int left = size;
      while (left > 0) {
        int n = in.read(buf, 0, Math.min(buf.length, left));
        if (n < 0) {
          throw new IOException("truncated chunk");
        }
        digest.update(buf, 0, n);
        left -= n;
      }
      total += size;
      line();
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed mid-line");
      }
      if (b != '\r') {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
