package dev.spillway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Proves the leak gate can fail: a deliberately dropped buffer must be reported. */
class LeakFailingExtensionTest {

  @Test
  void detectorIsInstalledForTests() {
    assertThat(RecordingLeakDetector.installed())
        .as("tests must run with -Dio.netty.customResourceLeakDetector (see the parent pom)")
        .isTrue();
  }

  @Test
  void droppedBufferIsReported() {
    RecordingLeakDetector.drain();
    leakOne();
    // Drained here, so this deliberate leak does not fail the class.
    assertThat(LeakFailingExtension.collect()).anySatisfy(leak -> assertThat(leak).contains("LEAK"));
  }

  private static void leakOne() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
    leaked.writeLong(42);
  }
}
