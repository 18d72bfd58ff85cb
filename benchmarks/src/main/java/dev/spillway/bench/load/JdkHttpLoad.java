package dev.spillway.bench.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import org.HdrHistogram.Histogram;

/**
 * Load through the JDK {@link HttpClient}, which speaks HTTP/1.1 (plain or over TLS, one keep-alive connection
 * per in-flight request) and HTTP/2 over TLS (ALPN {@code h2}, every request multiplexed on one connection).
 * The same client for every protocol, so TLS and HTTP/2 are compared with one yardstick. A response that is not
 * a 2xx, or that came back in another HTTP version than asked for, counts as an error.
 */
public final class JdkHttpLoad implements AutoCloseable {
  private static final byte[] BODY = ("{\"model\":\"mock-gpt\",\"stream\":false,\"max_tokens\":16,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Say something short about load shedding.\"}]}")
      .getBytes(StandardCharsets.UTF_8);
  private final HttpClient client;
  private final HttpClient.Version version;
  private final URI uri;
  private final Duration timeout;
  /** Why the first failed request of the current run failed, for the log; null while none has. */
  private final java.util.concurrent.atomic.AtomicReference<String> firstError =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** A client for {@code uri} ({@code http://} or {@code https://}) in {@code version}; TLS trusts {@code ssl}. */
  public JdkHttpLoad(URI uri, HttpClient.Version version, SSLContext ssl, Duration timeout) {
    HttpClient.Builder b = HttpClient.newBuilder().version(version).connectTimeout(timeout);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    this.client = b.build();
    this.version = version;
    this.uri = uri.resolve("/v1/chat/completions");
    this.timeout = timeout;
  }

  /** What one run measured: latencies of the 2xx answers in microseconds, the errors, and the run's length. */
  public record Result(Histogram ok, long errors, String firstError, double seconds) {
    public double rate() {
      return ok.getTotalCount() / seconds;
    }

    /** This run and {@code other} as one (latencies, errors and time added up). */
    public Result plus(Result other) {
      Histogram both = ok.copy();
      both.add(other.ok);
      return new Result(both, errors + other.errors, firstError != null ? firstError : other.firstError,
          seconds + other.seconds);
    }
  }

  /**
   * Open loop: {@code rate} requests per second for {@code duration}, latency from each request's intended
   * start; a request due while {@code maxInFlight} are outstanding is not sent and counts as an error.
   */
  public Result fixedRate(double rate, Duration duration, int maxInFlight) throws InterruptedException {
    long count = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
    long interval = Math.round(1e9 / rate);
    Histogram ok = new Histogram(3);
    AtomicLong errors = new AtomicLong();
    AtomicInteger inFlight = new AtomicInteger();
    CountDownLatch done = new CountDownLatch((int) count);
    long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (inFlight.incrementAndGet() > maxInFlight) {
        inFlight.decrementAndGet();
        errors.incrementAndGet();
        firstError.compareAndSet(null, "over " + maxInFlight + " in flight, not sent");
        done.countDown();
        continue;
      }
      client.sendAsync(request(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
        inFlight.decrementAndGet();
        record(ok, errors, r, e, due);
        done.countDown();
      });
    }
    awaitOutstanding(done, errors);
    return new Result(ok, errors.get(), firstError.getAndSet(null), duration.toNanos() / 1e9);
  }

  /** Closed loop: {@code concurrency} requests always outstanding for {@code duration}. */
  public Result maxThroughput(int concurrency, Duration duration) throws InterruptedException {
    Histogram ok = new Histogram(3);
    AtomicLong errors = new AtomicLong();
    long end = System.nanoTime() + duration.toNanos();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      chain(ok, errors, end, done);
    }
    // The chains run until the end of the run, then their last answers may take up to the timeout.
    Thread.sleep(duration.toMillis());
    awaitOutstanding(done, errors);
    return new Result(ok, errors.get(), firstError.getAndSet(null), (System.nanoTime() - start) / 1e9);
  }

  private void chain(Histogram ok, AtomicLong errors, long end, CountDownLatch done) {
    long sent = System.nanoTime();
    if (sent >= end) {
      done.countDown();
      return;
    }
    // Async: a request that fails at once must not recurse on this stack.
    client.sendAsync(request(), HttpResponse.BodyHandlers.discarding()).whenCompleteAsync((r, e) -> {
      record(ok, errors, r, e, sent);
      chain(ok, errors, end, done);
    });
  }

  private void record(Histogram ok, AtomicLong errors, HttpResponse<?> r, Throwable e, long startNanos) {
    if (e == null && r.statusCode() / 100 == 2 && r.version() == version) {
      long micros = (System.nanoTime() - startNanos) / 1000;
      synchronized (ok) {
        ok.recordValue(Math.max(1, micros));
      }
    } else {
      errors.incrementAndGet();
      firstError.compareAndSet(null, e != null ? e.toString() : "HTTP " + r.statusCode() + " in " + r.version());
    }
  }

  private void awaitOutstanding(CountDownLatch done, AtomicLong errors) throws InterruptedException {
    if (!done.await(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
      // Whatever is still out after its timeout is lost; count it rather than wait forever.
      errors.addAndGet(done.getCount());
      firstError.compareAndSet(null, done.getCount() + " requests still outstanding after the timeout");
    }
  }

  private HttpRequest request() {
    return HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + ChatRequest.DEFAULT_KEY)
        .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
  }

  @Override
  public void close() {
    // HttpClient is AutoCloseable only from JDK 21; on 17 its connections go with the client object.
    if (client instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception ignored) {
        // Closing frees connections; a failure to do so changes no result.
      }
    }
  }
}
