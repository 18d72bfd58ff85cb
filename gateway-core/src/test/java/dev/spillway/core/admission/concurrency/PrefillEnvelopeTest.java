package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrefillEnvelopeTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  /** An engine computing 8,000 prompt tokens a second at 4 bytes a token: 31.25 µs a byte, plus 10 ms. */
  static final double NANOS_PER_BYTE = 1e9 / 32_000;

  @Test
  void firstTokensOfLongAndShortPromptsAreJudgedAsOfTheReferenceSize() {
    PrefillEnvelope envelope = new PrefillEnvelope(TimeUnit.SECONDS.toNanos(120));
    Random random = new Random(1);
    for (int i = 0; i < 255; i++) {
      long bytes = (long) (4000 * Math.exp(0.9 * random.nextGaussian())) + 100;
      // Unqueued, plus up to a step of waiting for the engine's current step to end.
      long latency = 10 * MS + (long) (bytes * NANOS_PER_BYTE) + (long) (random.nextDouble() * 20 * MS);
      envelope.add(LatencySample.firstToken(latency).withRequestBytes(bytes), i * MS);
    }
    assertThat(envelope.matters()).isTrue();
    assertThat(envelope.nanosPerByte()).isBetween(0.9 * NANOS_PER_BYTE, 1.1 * NANOS_PER_BYTE);
    long reference = envelope.referenceBytes();
    assertThat(reference).isBetween(3000L, 5500L);

    // An 8,000-token prompt's second of prefill is its own, not a queue: judged as a reference-sized request.
    long longPrompt = 32_000;
    long unqueuedLong = 10 * MS + (long) (longPrompt * NANOS_PER_BYTE);
    long adjusted = envelope.adjust(LatencySample.firstToken(unqueuedLong).withRequestBytes(longPrompt))
        .latencyNanos();
    long unqueuedReference = 10 * MS + (long) (reference * NANOS_PER_BYTE);
    assertThat(adjusted).isBetween(unqueuedReference - 30 * MS, unqueuedReference + 30 * MS);

    // A wait for a place stays whole.
    long queued = envelope.adjust(LatencySample.firstToken(unqueuedLong + 500 * MS).withRequestBytes(longPrompt))
        .latencyNanos();
    assertThat(queued - adjusted).isEqualTo(500 * MS);
  }

  @Test
  void firstTokensThatDoNotGrowWithTheRequestAreJudgedAsMeasured() {
    PrefillEnvelope envelope = new PrefillEnvelope(TimeUnit.SECONDS.toNanos(120));
    Random random = new Random(2);
    for (int i = 0; i < 100; i++) {
      long bytes = 184 + random.nextInt(1000);
      envelope.add(LatencySample.firstToken(500 * MS + random.nextInt(5) * MS).withRequestBytes(bytes), i * MS);
    }
    assertThat(envelope.matters()).as("a fixed-latency backend").isFalse();
  }

  /**
   * A fixed-latency backend behind bodies of 200 to 4,000 bytes fits, with a jitter of two milliseconds, a
   * slope of noise: it gives no request an unqueued time of its own, as without sizes. An engine's prompts do.
   */
  @Test
  void onlyAnEnvelopeThatGrowsGivesARequestItsUnqueuedTime() {
    PrefillEnvelope flat = new PrefillEnvelope(TimeUnit.SECONDS.toNanos(120));
    PrefillEnvelope engine = new PrefillEnvelope(TimeUnit.SECONDS.toNanos(120));
    Random random = new Random(3);
    for (int i = 0; i < 255; i++) {
      long bytes = 200 + random.nextInt(3801);
      flat.add(LatencySample.firstToken(30 * MS + random.nextInt(2_000_000)).withRequestBytes(bytes), i * MS);
      long prompt = 100 + random.nextInt(32_000);
      engine.add(LatencySample.firstToken(10 * MS + (long) (prompt * NANOS_PER_BYTE)).withRequestBytes(prompt),
          i * MS);
    }
    assertThat(flat.fitted()).isTrue();
    assertThat(flat.grows()).isFalse();
    assertThat(flat.unqueuedNanos(1000)).isZero();
    assertThat(engine.grows()).isTrue();
    assertThat(engine.unqueuedNanos(32_000)).isBetween(900 * MS, 1100 * MS);
  }

  @Test
  void samplesWithoutASizeAreLeftAlone() {
    PrefillEnvelope envelope = new PrefillEnvelope(TimeUnit.SECONDS.toNanos(120));
    LatencySample sample = LatencySample.firstToken(300 * MS);
    envelope.add(sample, 0);
    assertThat(envelope.adjust(sample)).isSameAs(sample);
    assertThat(envelope.mayMatter()).isFalse();
    assertThat(envelope.unqueuedNanos(1000)).isZero();
  }
}
