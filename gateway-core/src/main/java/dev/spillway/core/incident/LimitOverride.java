package dev.spillway.core.incident;

/**
 * An operator's override of one backend's concurrency limit: a pinned value that replaces whatever the limit
 * says, or a maximum the limit may not exceed. The limit underneath keeps measuring while an override is in
 * force, so removing it hands control back to the limit from the value it has reached.
 *
 * @param mode what the value means
 * @param value the pinned limit or the maximum, at least 1 ({@code 0} for {@link Mode#NONE})
 */
public record LimitOverride(Mode mode, int value) {
  /** No override: the limit as it is. */
  public static final LimitOverride NONE = new LimitOverride(Mode.NONE, 0);

  /** Whether the value replaces the limit or caps it. */
  public enum Mode {
    NONE,
    PIN,
    MAX
  }

  public LimitOverride {
    if (mode == null) {
      throw new IllegalArgumentException("mode: null (expected: NONE, PIN or MAX)");
    }
    if (mode != Mode.NONE && value < 1) {
      throw new IllegalArgumentException((mode == Mode.PIN ? "pin" : "max") + ": " + value + " (expected: >= 1)");
    }
  }

  public static LimitOverride pin(int value) {
    return new LimitOverride(Mode.PIN, value);
  }

  public static LimitOverride max(int value) {
    return new LimitOverride(Mode.MAX, value);
  }

  /** The limit in force when the limit itself says {@code limit}. */
  public int apply(int limit) {
    return switch (mode) {
      case NONE -> limit;
      case PIN -> value;
      case MAX -> Math.min(limit, value);
    };
  }
}
