package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** A bare HTTP/1.1 client on a socket, for tests that need exact control over bytes, timing and closing. */
final class RawHttp implements AutoCloseable {
  /** A response's status and headers (lower-cased names, last value wins). */
  record Head(int status, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
  }

  void send(String text) throws IOException {
    send(text.getBytes(US_ASCII));
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  Head readHead() throws IOException {
    String status = readLine();
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    return new Head(Integer.parseInt(status.split(" ")[1]), headers);
  }

  /** Reads a body framed by Content-Length or chunked encoding, passing it on piece by piece. */
  void readBody(Head head, Consumer<byte[]> sink) throws IOException {
    String length = head.header("content-length");
    if (length != null) {
      sink.accept(in.readNBytes(Integer.parseInt(length)));
      return;
    }
    for (;;) {
      int size = Integer.parseInt(readLine().trim(), 16);
      if (size == 0) {
        readLine();
        return;
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length != size) {
        throw new EOFException();
      }
      sink.accept(chunk);
      readLine();
    }
  }

  byte[] readBody(Head head) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    readBody(head, body::writeBytes);
    return body.toByteArray();
  }

  String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("after \"" + line + "\"");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  /** True when the server has closed the connection. */
  boolean closedByPeer() throws IOException {
    return in.read() < 0;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
