package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Backends that refuse, reset or hang, over real sockets: each maps to a precise status and a JSON body. */
class UpstreamFailureIT {
  private final HttpClient http = ProxyFixture.client();

  @Test
  void refusedConnectionIs502() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (Gateway gw = ProxyFixture.start(closedPort)) {
      HttpResponse<String> r = get(gw);
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.headers().firstValue("content-type")).contains("application/json");
      assertThat(r.body()).contains("\"code\":\"upstream_connect_error\"").contains("\"type\":\"server_error\"");
    }
  }

  @Test
  void resetBeforeResponseIs502() throws Exception {
    try (RawBackend backend = new RawBackend(socket -> {
      readRequestHead(socket);
      socket.setSoLinger(true, 0);
      socket.close(); // RST
    }); Gateway gw = ProxyFixture.start(backend.port())) {
      HttpResponse<String> r = get(gw);
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.body()).contains("\"code\":\"upstream_reset\"");
    }
  }

  @Test
  void hangingBackendIs504AfterResponseTimeout() throws Exception {
    try (RawBackend backend = new RawBackend(socket -> {
      readRequestHead(socket);
      // Say nothing until the gateway gives up and closes the connection.
      while (socket.getInputStream().read() >= 0) {
        continue;
      }
    }); Gateway gw = ProxyFixture.start(ProxyFixture.server(),
        ProxyFixture.backend(List.of(backend.port()), Duration.ofMillis(300)))) {
      long start = System.nanoTime();
      HttpResponse<String> r = get(gw);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(r.body()).contains("\"code\":\"upstream_timeout\"");
      assertThat(tookMs).isLessThan(5_000);
    }
  }

  private HttpResponse<String> get(Gateway gw) throws Exception {
    return http.send(ProxyFixture.request(gw, "/v1/models").GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void readRequestHead(Socket socket) throws java.io.IOException {
    InputStream in = socket.getInputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        return;
      }
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
  }

  /** A one-thread backend that does whatever the test says with each accepted socket. */
  static final class RawBackend implements AutoCloseable {
    interface Behaviour {
      void handle(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Thread thread;

    RawBackend(Behaviour behaviour) throws java.io.IOException {
      server = new ServerSocket(0);
      thread = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket socket = server.accept()) {
            behaviour.handle(socket);
          } catch (Exception e) {
            // closed by the test, or the behaviour's own doing
          }
        }
      }, "raw-backend");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.close();
      thread.join(5_000);
    }
  }
}
