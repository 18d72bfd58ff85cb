package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.config.AdminConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway's shutdown future completes on Netty's global executor; closing the admin server or a mock
 * backend from there must not throw {@code BlockingOperationException}, and from any other thread it waits.
 */
class CloseFromAnyThreadTest {
  private static final AdminContent EMPTY = new AdminContent() {
    @Override
    public String metricsText() {
      return "";
    }

    @Override
    public String notReadyReason() {
      return null;
    }

    @Override
    public byte[] statusJson() {
      return new byte[0];
    }

    @Override
    public byte[] incidentsJson() {
      return new byte[0];
    }

    @Override
    public byte[] dashboardJson() {
      return new byte[0];
    }

    @Override
    public byte[] configJson() {
      return new byte[0];
    }
  };

  @Test
  void adminServerClosesFromANettyThreadWithoutBlocking() throws Exception {
    AdminServer admin = AdminServer.start(AdminConfig.DEFAULTS.withPort(0), EMPTY);
    int port = admin.port();
    GlobalEventExecutor.INSTANCE.submit(admin::close).get(10, TimeUnit.SECONDS);
    admin.closeAsync().get(10, TimeUnit.SECONDS);
    assertThat(refuses(port)).isTrue();
  }

  @Test
  void adminServerCloseWaitsOnAnOrdinaryThread() throws Exception {
    AdminServer admin = AdminServer.start(AdminConfig.DEFAULTS.withPort(0), EMPTY);
    int port = admin.port();
    admin.close();
    assertThat(refuses(port)).isTrue();
  }

  @Test
  void mockBackendClosesFromANettyThreadWithoutBlocking() throws Exception {
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withPort(0));
    int port = backend.port();
    GlobalEventExecutor.INSTANCE.submit(backend::close).get(10, TimeUnit.SECONDS);
    backend.closeAsync().get(10, TimeUnit.SECONDS);
    assertThat(refuses(port)).isTrue();
  }

  private static boolean refuses(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }
}
