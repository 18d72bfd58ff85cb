package dev.spillway.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Full TLS handshakes per second against one port: each handshake on a fresh connection, its session
 * invalidated afterwards so the next one cannot resume it, from a few threads, for a bounded time and count.
 */
public final class Handshakes {
  private Handshakes() {}

  /** What one run measured. */
  public record Result(long handshakes, long errors, double seconds) {
    public double rate() {
      return handshakes / seconds;
    }

    /** This run and {@code other} as one. */
    public Result plus(Result other) {
      return new Result(handshakes + other.handshakes, errors + other.errors, seconds + other.seconds);
    }
  }

  /** Handshakes with {@code 127.0.0.1:port} from {@code threads} threads for {@code duration}, at most {@code max}. */
  public static Result run(SSLContext ssl, int port, int threads, Duration duration, long max)
      throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        while (System.nanoTime() < end && ok.get() + errors.get() < max) {
          try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            socket.startHandshake();
            socket.getSession().invalidate();
            ok.incrementAndGet();
          } catch (IOException e) {
            errors.incrementAndGet();
          }
        }
      }, "handshakes-" + i);
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
    for (Thread t : workers) {
      t.join(duration.toMillis() + 10_000);
    }
    return new Result(ok.get(), errors.get(), (System.nanoTime() - start) / 1e9);
  }
}
