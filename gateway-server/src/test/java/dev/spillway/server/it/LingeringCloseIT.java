package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.spillway.core.Gateway;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A request refused while its client is still sending (here: too many header fields) is answered, and the
 * connection is half-closed and drained rather than reset, so a client that keeps writing still reads the
 * whole answer, sees its end, and is not cut off by a reset for bytes the gateway never read.
 */
class LingeringCloseIT {

  @Test
  void aRefusedRequestIsAnsweredAndTheConnectionDrainedNotReset() throws Exception {
    try (Gateway gw = ProxyFixture.start(1); Socket socket = new Socket("127.0.0.1", gw.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder head = new StringBuilder("GET /v1/models HTTP/1.1\r\nHost: a\r\n");
      for (int i = 0; i < 1000; i++) {
        head.append("X-").append(i).append(": 1\r\n");
      }
      byte[] bytes = head.toString().getBytes(StandardCharsets.US_ASCII);
      out.write(bytes, 0, 2048); // well past the 100th field: the gateway refuses mid-head
      out.flush();

      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) >= 0) { // ends with the gateway's half-close, not a reset
        answer.write(buf, 0, n);
      }
      assertThat(answer.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 431 ")
          .contains("connection: close").contains("headers_too_large");

      // The gateway still reads (and drops) what the client sends for a while: no reset for these writes. Had
      // it closed its socket, the first chunk would draw a reset, which on loopback comes back within that
      // write, so a later write would fail: no pause between them is needed to see it.
      assertThatCode(() -> {
        for (int off = 2048; off < bytes.length; off += 1024) {
          out.write(bytes, off, Math.min(1024, bytes.length - off));
          out.flush();
        }
        socket.shutdownOutput(); // done sending: the gateway closes its side
        assertThat(in.read()).as("a clean end, not a reset").isEqualTo(-1);
      }).doesNotThrowAnyException();
    }
  }
}
