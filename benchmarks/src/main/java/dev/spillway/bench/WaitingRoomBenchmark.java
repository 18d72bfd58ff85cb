package dev.spillway.bench;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.concurrency.PermitCallback;
import dev.spillway.core.admission.concurrency.WaitRequest;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.Ticker;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The admission fast path of {@link BackendAdmission}: a slot is free, so {@code acquire} grants a permit
 * inline (the caller is on its executor, as the gateway's event loops are) and the permit is completed at
 * once. {@link #uncontended} runs it on one thread; {@link #contended} on two threads sharing one backend,
 * which measures the lock. The limit is high enough that nobody waits: the waiting room's slow path
 * (scheduling timeouts, hand-over) is not what runs per request on a healthy backend.
 *
 * <p>The permit is the only allocation expected uncontended ({@code -prof gc}: 32 B/op); under contention
 * the lock adds its queue nodes when a thread has to park.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar -prof gc WaitingRoomBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class WaitingRoomBenchmark {
  private static final LatencySample SAMPLE = LatencySample.firstToken(TimeUnit.MILLISECONDS.toNanos(300));

  /** One backend, shared by every thread of a benchmark (or of a group). */
  @State(Scope.Group)
  public static class Backend {
    @Param({"STATIC", "ADAPTIVE"})
    public ConcurrencyConfig.Mode mode;

    BackendAdmission admission;

    @Setup
    public void setUp() {
      ConcurrencyConfig config = new ConcurrencyConfig(mode, 1024, 4, 1024);
      admission = new BackendAdmission(config, WaitingRoomConfig.DEFAULTS, Ticker.system());
    }
  }

  /** A client on its own event loop, with a callback reused across requests. */
  @State(Scope.Thread)
  public static class Client implements PermitCallback {
    final EventExecutor executor = ImmediateEventExecutor.INSTANCE;
    /** Built once, so the measurement is admission's own work: its deadline is an hour after setup. */
    final WaitRequest request = new WaitRequest(PriorityClass.STANDARD, "t:bench", false,
        System.nanoTime() + TimeUnit.HOURS.toNanos(1));
    Permit permit;
    ShedReason shed;

    @Override
    public void onPermit(Permit permit) {
      this.permit = permit;
    }

    @Override
    public void onShed(ShedReason reason, long retryAfterNanos) {
      this.shed = reason;
    }
  }

  @Benchmark
  @Group("uncontended")
  @GroupThreads(1)
  public Permit uncontended(Backend backend, Client client) {
    return acquireAndComplete(backend, client);
  }

  @Benchmark
  @Group("contended")
  @GroupThreads(2)
  public Permit contended(Backend backend, Client client) {
    return acquireAndComplete(backend, client);
  }

  private static Permit acquireAndComplete(Backend backend, Client client) {
    backend.admission.acquire(client.request, client.executor, client);
    Permit p = client.permit;
    client.permit = null;
    p.onSuccess(SAMPLE);
    return p;
  }
}
