package dev.spillway.core.proxy;

import dev.spillway.core.admission.concurrency.WaitRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;

/** What a client's request headers say about waiting: its own deadline, and whether it is a retry. */
final class ClientHints {
  private ClientHints() {}

  /**
   * The client's own deadline, apart from the waiting room's maxWait: {@code x-spillway-deadline-ms}
   * (milliseconds from now) or else {@code X-Stainless-Timeout} (seconds, as the OpenAI SDKs send it); a
   * missing, malformed or non-positive value is no deadline.
   *
   * @param now the waiting room's clock ({@code BackendAdmission.nowNanos()})
   * @return the absolute deadline on that clock, or {@link WaitRequest#NO_DEADLINE}
   */
  static long deadline(HttpHeaders headers, long now) {
    long ms = parsePositive(headers.get("x-spillway-deadline-ms"), TimeUnit.MILLISECONDS.toNanos(1));
    long nanos = ms > 0 ? ms : parsePositive(headers.get("x-stainless-timeout"), TimeUnit.SECONDS.toNanos(1));
    return nanos > 0 ? now + nanos : WaitRequest.NO_DEADLINE;
  }

  /** {@code value} (a decimal number of units) in nanos, or 0 when absent, malformed, not positive or huge. */
  static long parsePositive(String value, long nanosPerUnit) {
    if (value == null) {
      return 0;
    }
    try {
      double units = Double.parseDouble(value.trim());
      double nanos = units * nanosPerUnit;
      return units > 0 && nanos < 1e18 ? Math.max(1, (long) nanos) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Whether the client says this is a retry: {@code X-Stainless-Retry-Count} above 0. */
  static boolean isRetry(HttpHeaders headers) {
    String count = headers.get("x-stainless-retry-count");
    if (count == null) {
      return false;
    }
    String c = count.trim();
    return !c.isEmpty() && !c.equals("0") && c.chars().allMatch(Character::isDigit);
  }
}
