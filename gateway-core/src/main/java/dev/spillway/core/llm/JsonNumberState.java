package dev.spillway.core.llm;

/**
 * One JSON number for {@link JsonTokenizer}: validates the grammar ({@code -? (0 | [1-9][0-9]*) (.[0-9]+)?
 * ([eE][+-]?[0-9]+)?}) and keeps its value when it is a non-negative integer that fits a long, the only kind
 * of number the visitors use (token counts, {@code max_tokens}).
 */
final class JsonNumberState {
  static final int MORE = 0;
  /** The byte just offered is not part of the number, which ended before it. */
  static final int END = 1;
  static final int INVALID = 2;

  private static final int MINUS = 0;
  private static final int ZERO = 1;
  private static final int INTEGER = 2;
  private static final int DOT = 3;
  private static final int FRACTION = 4;
  private static final int EXPONENT_MARK = 5;
  private static final int EXPONENT_SIGN = 6;
  private static final int EXPONENT = 7;

  private int state;
  private long value;
  private boolean usable;

  /** Starts a number at its first byte, which must be {@code -} or a digit. */
  void begin(int c) {
    value = 0;
    if (c == '-') {
      state = MINUS;
      usable = false;
    } else {
      state = c == '0' ? ZERO : INTEGER;
      value = c - '0';
      usable = true;
    }
  }

  int accept(int c) {
    boolean digit = c >= '0' && c <= '9';
    switch (state) {
      case MINUS -> state = c == '0' ? ZERO : INTEGER;
      case ZERO, INTEGER -> {
        if (!digit || state == ZERO) {
          return tail(c, true);
        }
        int d = c - '0';
        if (usable && value > (Long.MAX_VALUE - d) / 10) {
          usable = false;
        }
        value = value * 10 + d;
      }
      case DOT, EXPONENT_SIGN -> state = state == DOT ? FRACTION : EXPONENT;
      case FRACTION -> {
        if (!digit) {
          return tail(c, false);
        }
      }
      case EXPONENT_MARK -> {
        if (c == '+' || c == '-') {
          state = EXPONENT_SIGN;
          return MORE;
        }
        state = EXPONENT;
      }
      default -> {
        if (!digit) {
          return END;
        }
      }
    }
    // The states that fall through here are the ones whose byte had to be a digit.
    return digit ? MORE : INVALID;
  }

  /** The value, or -1 unless the number is a non-negative integer that fits a long. */
  long value() {
    return usable ? value : -1;
  }

  private int tail(int c, boolean dotAllowed) {
    if (c == '.' && dotAllowed) {
      usable = false;
      state = DOT;
      return MORE;
    }
    if (c == 'e' || c == 'E') {
      usable = false;
      state = EXPONENT_MARK;
      return MORE;
    }
    return END;
  }
}
