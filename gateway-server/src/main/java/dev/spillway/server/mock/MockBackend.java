package dev.spillway.server.mock;

import dev.spillway.server.NettyThreads;
import dev.spillway.core.transport.Transport;
import dev.spillway.server.mock.engine.EngineOptions;
import dev.spillway.server.mock.engine.LlmEngine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A mock OpenAI-compatible AI backend that behaves like a GPU server with finite capacity, for the demo,
 * integration tests and benchmarks.
 *
 * <p>{@code POST /v1/chat/completions} generates {@code max_completion_tokens} (or {@code max_tokens}, at
 * most {@value MockBackendOptions#MAX_COMPLETION_TOKENS}) tokens, or {@code defaultCompletionTokens}. At most
 * {@code capacity} requests generate at once; up to {@code maxQueue} more wait in FIFO order, and beyond that
 * a request gets OpenAI's 503 "overloaded" error with {@code Retry-After: 1}. Once a request holds a slot its
 * first token is due after {@code latency}; with {@code tokensPerSecond} T above 0 each further token follows
 * 1/T s later, and with T = 0 the n tokens are spread evenly so that token k is due at
 * {@code latency * k / n} (the last exactly at {@code latency}). With {@code latencyJitter} f above 0 each
 * request's {@code latency} is its own seeded draw, uniform within ±f of the option's (see
 * {@link JitteredLatency}). Streams ({@code "stream": true}) flush each token as it is due; other requests are
 * answered whole when the last token is due. A client that disconnects frees its slot, or its queue place, at
 * once.
 *
 * <p>Also served: {@code GET /v1/models}, {@code GET /health} and the test helpers {@code POST /debug/echo},
 * {@code POST /debug/sha256}, {@code GET /debug/bytes?n=N} and {@code GET /debug/headers}.
 *
 * <pre>{@code
 * try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withCapacity(8))) {
 *   URI uri = URI.create(backend.url() + "/v1/chat/completions");
 * }
 * }</pre>
 */
public final class MockBackend implements AutoCloseable {
  private final MockState state;
  /** Set by the first {@link #closeAsync}. */
  private CompletableFuture<Void> closed;
  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final String url;

  private MockBackend(MockState state, EventLoopGroup group, Channel serverChannel, boolean tls) {
    this.state = state;
    this.group = group;
    this.serverChannel = serverChannel;
    this.url = (tls ? "https://" : "http://") + urlHost(state.options.host()) + ":" + port();
  }

  /** Binds the fixed-capacity mock and returns once it is listening. */
  public static MockBackend start(MockBackendOptions options) throws InterruptedException {
    return start(options, null, MockSecurity.NONE);
  }

  /**
   * Binds and returns once the mock is listening. With {@code engine} set, chat completions run on a simulated
   * LLM engine stepping on one of the event loops (see {@link LlmEngine}) and {@code GET /metrics} serves its
   * metrics; the capacity, queue, latency and token options of {@code options} then do not apply.
   */
  public static MockBackend start(MockBackendOptions options, EngineOptions engine) throws InterruptedException {
    return start(options, engine, MockSecurity.NONE);
  }

  /** Binds with TLS and/or a required API key, and returns once the mock is listening. */
  public static MockBackend start(MockBackendOptions options, MockSecurity security) throws InterruptedException {
    return start(options, null, security);
  }

  /** Binds with an optional simulated engine, TLS and/or a required API key. */
  public static MockBackend start(MockBackendOptions options, EngineOptions engine, MockSecurity security)
      throws InterruptedException {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(security, "security");
    // Same transport choice as the gateway (epoll where available), so benchmarks compare like with like.
    Transport transport = Transport.select(true);
    EventLoopGroup group = transport.newGroup(options.ioThreads(), "mock-backend");
    MockState state = new MockState(options, engine == null ? null : new LlmEngine(engine, group.next()));
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(transport.serverChannelClass())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new MockChannelInitializer(state, security))
          .bind(options.host(), options.port())
          .sync()
          .channel();
      return new MockBackend(state, group, channel, security.tls() != null);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
      throw e;
    }
  }

  /** The port listened on, useful when the options asked for port 0. */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /**
   * {@code http://<host>:<port>} ({@code https} with TLS), with {@code 127.0.0.1} standing in for a wildcard bind
   * address.
   */
  public String url() {
    return url;
  }

  /** TCP connections accepted since start. */
  public long connectionsAccepted() {
    return state.connectionsAccepted.sum();
  }

  /** Responses whose last part has been handed to the connection, errors included. */
  public long requestsServed() {
    return state.requestsServed.sum();
  }

  /** Chat completions answered 503 because the queue was full. */
  public long rejected() {
    return state.rejected.sum();
  }

  /** Chat completions holding a capacity slot (fixed engine) or in the running batch (llm engine) right now. */
  public int inFlight() {
    return state.inFlight();
  }

  /** The simulated LLM engine, or {@code null} for the fixed-capacity mock. */
  public LlmEngine engine() {
    return state.engine;
  }

  /**
   * Closes the listener and every connection and stops the event loops; the future completes once they have
   * terminated. Never blocks, so it may be called from any thread; later calls return the same future.
   */
  public synchronized CompletableFuture<Void> closeAsync() {
    if (closed != null) {
      return closed;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    closed = done;
    if (state.engine != null) {
      state.engine.close();
    }
    serverChannel.close().addListener(listener -> state.channels.close().addListener(
        connections -> group.shutdownGracefully(0, 5, TimeUnit.SECONDS).addListener(
            terminated -> done.complete(null))));
    return done;
  }

  /**
   * Closes the listener and every connection, and waits for the event loops to stop, except on a Netty thread
   * (where waiting would deadlock): there it only starts the close.
   */
  @Override
  public void close() {
    CompletableFuture<Void> done = closeAsync();
    if (!NettyThreads.isCurrent()) {
      done.join();
    }
  }

  private static String urlHost(String host) {
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      return "127.0.0.1";
    }
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
