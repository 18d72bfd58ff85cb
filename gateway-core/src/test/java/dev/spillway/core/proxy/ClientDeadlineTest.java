package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Parsing the client's deadline headers ({@code x-spillway-deadline-ms}, {@code X-Stainless-Timeout}). */
class ClientDeadlineTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long S = TimeUnit.SECONDS.toNanos(1);

  @Test
  void readsDecimalUnits() {
    assertThat(AdmissionGate.parsePositive("1500", MS)).isEqualTo(1500 * MS);
    assertThat(AdmissionGate.parsePositive(" 600.0 ", S)).isEqualTo(600 * S);
    assertThat(AdmissionGate.parsePositive("0.25", S)).isEqualTo(250 * MS);
  }

  @Test
  void anythingElseIsNoDeadline() {
    assertThat(AdmissionGate.parsePositive(null, S)).isZero();
    assertThat(AdmissionGate.parsePositive("", S)).isZero();
    assertThat(AdmissionGate.parsePositive("soon", S)).isZero();
    assertThat(AdmissionGate.parsePositive("0", S)).isZero();
    assertThat(AdmissionGate.parsePositive("-5", MS)).isZero();
    assertThat(AdmissionGate.parsePositive("NaN", S)).isZero();
    assertThat(AdmissionGate.parsePositive("1e30", S)).as("beyond any clock").isZero();
  }
}
