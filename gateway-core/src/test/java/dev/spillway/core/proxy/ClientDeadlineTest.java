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
    assertThat(ClientHints.parsePositive("1500", MS)).isEqualTo(1500 * MS);
    assertThat(ClientHints.parsePositive(" 600.0 ", S)).isEqualTo(600 * S);
    assertThat(ClientHints.parsePositive("0.25", S)).isEqualTo(250 * MS);
  }

  @Test
  void anythingElseIsNoDeadline() {
    assertThat(ClientHints.parsePositive(null, S)).isZero();
    assertThat(ClientHints.parsePositive("", S)).isZero();
    assertThat(ClientHints.parsePositive("soon", S)).isZero();
    assertThat(ClientHints.parsePositive("0", S)).isZero();
    assertThat(ClientHints.parsePositive("-5", MS)).isZero();
    assertThat(ClientHints.parsePositive("NaN", S)).isZero();
    assertThat(ClientHints.parsePositive("1e30", S)).as("beyond any clock").isZero();
  }
}
