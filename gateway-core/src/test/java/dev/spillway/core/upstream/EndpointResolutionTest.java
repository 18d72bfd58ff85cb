package dev.spillway.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Endpoints given by name are resolved by the asynchronous DNS resolver, never by a blocking JDK lookup. */
class EndpointResolutionTest {

  @Test
  void everyBootstrapUsesTheAsynchronousResolver() {
    UpstreamPools pools = new UpstreamPools(Transport.NIO);
    try {
      assertThat(pools.resolver()).isInstanceOf(DnsAddressResolverGroup.class);
    } finally {
      pools.closeAll().awaitUninterruptibly();
    }
  }

  @Test
  void anEndpointGivenAsLocalhostResolvesAndConnects() throws Exception {
    EventLoopGroup group = Transport.NIO.newGroup(1, "dns-test");
    UpstreamPools pools = new UpstreamPools(Transport.NIO);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      BackendConfig config = BackendConfig.of("b", List.of(new EndpointAddress("localhost", server.getLocalPort())));
      Backend backend = new Backend(config);
      Endpoint endpoint = backend.endpoints().get(0);
      EventLoop loop = group.next();
      CompletableFuture<UpstreamConnection> acquired = new CompletableFuture<>();
      loop.execute(() -> pools.acquire(loop, backend, endpoint, new PoolCallback() {
        @Override
        public void onAcquired(UpstreamConnection connection) {
          acquired.complete(connection);
        }

        @Override
        public void onAcquireFailed(Throwable cause) {
          acquired.completeExceptionally(cause);
        }
      }));
      try (Socket accepted = server.accept()) {
        UpstreamConnection connection = acquired.get(10, TimeUnit.SECONDS);
        assertThat(connection.channel().isActive()).isTrue();
        assertThat(accepted.getInetAddress().isLoopbackAddress()).isTrue();
        loop.submit(connection::close).get(10, TimeUnit.SECONDS);
      }
    } finally {
      pools.closeAll().awaitUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
