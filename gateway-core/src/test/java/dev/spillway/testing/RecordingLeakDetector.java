package dev.spillway.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A Netty leak detector that records every leak report so {@link LeakFailingExtension} can fail the test run.
 * Installed for all tests by {@code -Dio.netty.customResourceLeakDetector=dev.spillway.testing.RecordingLeakDetector}
 * (see the parent pom's {@code test.argLine}).
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    this(resourceType, samplingInterval);
  }

  /** Reports are what the build fails on, so never let Netty's "log only once" logic suppress one. */
  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected.");
    super.reportUntracedLeak(resourceType);
  }

  /** Removes and returns every leak recorded so far. */
  public static List<String> drain() {
    List<String> out = new ArrayList<>();
    String leak;
    while ((leak = LEAKS.poll()) != null) {
      out.add(leak);
    }
    return out;
  }

  /** Whether this detector is the one Netty installed (it is unless the test JVM was started without it). */
  public static boolean installed() {
    return System.getProperty("io.netty.customResourceLeakDetector", "")
        .equals(RecordingLeakDetector.class.getName());
  }
}
