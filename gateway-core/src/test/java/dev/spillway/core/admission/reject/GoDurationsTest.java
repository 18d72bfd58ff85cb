package dev.spillway.core.admission.reject;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoDurationsTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long M = 60 * S;
  private static final long H = 60 * M;

  /**
   * Go's documented outputs for values of millisecond precision, where our format and
   * {@code time.Duration.String()} agree exactly: the durationTests table of Go's time_test.go, the
   * ExampleDuration_String/_Round/_Truncate outputs, and OpenAI's sample header values.
   */
  @ParameterizedTest
  @CsvSource({
      "0, 0s",
      "2200000, 2.2ms",              // 2200 * Microsecond
      "3300000000, 3.3s",            // 3300 * Millisecond
      "245000000000, 4m5s",          // 4*Minute + 5*Second
      "245001000000, 4m5.001s",      // 4*Minute + 5001*Millisecond
      "18367001000000, 5h6m7.001s",  // 5*Hour + 6*Minute + 7001*Millisecond
      "300000000, 300ms",            // ExampleDuration_String
      "3720300000000, 1h2m0.3s",     // ExampleDuration_String: 1h + 2m + 300ms
      "4530918000000, 1h15m30.918s", // ExampleDuration_Truncate(Millisecond)
      "4530000000000, 1h15m30s",     // Truncate(Second)
      "4500000000000, 1h15m0s",      // Truncate(Minute)
      "4200000000000, 1h10m0s",      // Truncate(10 * Minute)
      "3600000000000, 1h0m0s",       // Truncate(Hour)
      "4560000000000, 1h16m0s",      // Round(Minute)
      "4800000000000, 1h20m0s",      // Round(10 * Minute)
      "12000000, 12ms",              // OpenAI samples
      "9816000000, 9.816s",
      "1000000000, 1s",
      "360000000000, 6m0s",
  })
  void matchesGoForMillisecondPrecision(long nanos, String expected) {
    assertThat(GoDurations.format(nanos)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "1, 0.001ms",                        // Go: 1ns; we round up to whole microseconds and stay ASCII
      "1100, 0.002ms",                     // Go: 1.1µs
      "1500000, 1.5ms",
      "250000, 0.25ms",
      "10000, 0.01ms",
      "999999000, 999.999ms",
      "999999001, 1s",                     // rounds up past a second
      "1000000001, 1.001s",                // Go: 1.000000001s
      "480000000001, 8m0.001s",            // Go: 8m0.000000001s
      "4530918273645, 1h15m30.919s",       // Go: 1h15m30.918273645s; up, never early
      "59999999999, 1m0s",
      "9223372036854775807, 2562047h47m16.855s", // Go: 2562047h47m16.854775807s
      "-1, 0s",
      "-9223372036854775808, 0s",
  })
  void roundsUpToItsPrecisionAndClampsNegatives(long nanos, String expected) {
    assertThat(GoDurations.format(nanos)).isEqualTo(expected);
  }

  @Test
  void parsesBackToAtLeastTheInputWithinOneUnit() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 20_000; i++) {
      long nanos = random.nextBoolean() ? random.nextLong(1, 2 * S) : random.nextLong(1, 30 * H);
      String s = GoDurations.format(nanos);
      assertThat(s).matches("(\\d+h)?(\\d+m)?\\d+(\\.\\d{0,2}[1-9])?(ms|s)");
      long parsed = parse(s);
      long unit = nanos < S ? 1_000 : MS;
      assertThat(parsed - nanos).as(s).isBetween(0L, unit - 1);
    }
  }

  /** A minimal Go ParseDuration for the units we emit. */
  private static long parse(String s) {
    long total = 0;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.') {
        i++;
      }
      String number = s.substring(start, i);
      String unit = s.startsWith("ms", i) ? "ms" : s.substring(i, i + 1);
      i += unit.length();
      long scale = switch (unit) {
        case "h" -> H;
        case "m" -> M;
        case "s" -> S;
        default -> MS;
      };
      total += new java.math.BigDecimal(number).multiply(java.math.BigDecimal.valueOf(scale)).longValueExact();
    }
    return total;
  }

  @Test
  void formatsDurationsFromConfigLikeValues() {
    assertThat(GoDurations.format(Duration.ofMinutes(2).plusMillis(3500).toNanos())).isEqualTo("2m3.5s");
    assertThat(GoDurations.format(Duration.ofHours(1).plusMinutes(2).plusSeconds(3).toNanos()))
        .isEqualTo("1h2m3s");
    assertThat(GoDurations.format(Duration.ofDays(1).toNanos())).isEqualTo("24h0m0s");
  }
}
