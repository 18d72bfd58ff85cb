package dev.spillway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran (or just after). Registered for every
 * test through the JUnit service loader ({@code junit.jupiter.extensions.autodetection.enabled}).
 *
 * <p>Netty only notices a leak when a collected buffer's phantom reference is polled, which happens while new
 * buffers are allocated; so after each class this forces a few GCs and allocations before it looks.
 */
public final class LeakFailingExtension implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported during "
          + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
    }
  }

  /** Runs GC and allocations until pending leak reports have surfaced, then drains them. */
  public static List<String> collect() {
    for (int round = 0; round < 5; round++) {
      System.gc();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      for (int i = 0; i < 64; i++) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        a.release();
        b.release();
      }
    }
    return RecordingLeakDetector.drain();
  }
}
