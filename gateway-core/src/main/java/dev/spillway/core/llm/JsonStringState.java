package dev.spillway.core.llm;

/**
 * The inside of one JSON string for {@link JsonTokenizer}: validates escapes and control characters, counts
 * UTF-16 units, and keeps what its user asked for — a member name (decoded, ASCII, up to
 * {@link JsonTokenizer#KEY_CAPACITY} bytes) or a value's raw bytes (up to {@link JsonTokenizer#CAPTURE_CAPACITY}).
 */
final class JsonStringState {
  static final int MORE = 0;
  static final int END = 1;
  static final int INVALID = 2;

  private static final int PLAIN = 0;
  private static final int ESCAPE = 1;
  private static final int UNICODE = 2;

  private final byte[] key = new byte[JsonTokenizer.KEY_CAPACITY];
  private byte[] capture;
  /** Where a prompt string's decoded text goes, or null when nobody keeps it. */
  private PromptText text;

  private int state;
  private boolean keepKey;
  private boolean keepRaw;
  private int keyLength;
  private int captureLength;
  private long chars;
  private int unicodeDigits;
  private int unicodeValue;

  /**
   * Starts a string after its opening quote; {@code keepKey} and {@code keepRaw} say what to keep, and
   * {@code text}, if not null, receives the decoded value.
   */
  void begin(boolean keepKey, boolean keepRaw, PromptText text) {
    this.keepKey = keepKey;
    this.text = text;
    this.keepRaw = keepRaw;
    if (keepRaw && capture == null) {
      capture = new byte[JsonTokenizer.CAPTURE_CAPACITY];
    }
    state = PLAIN;
    keyLength = 0;
    captureLength = 0;
    chars = 0;
  }

  /** Takes the next byte: {@link #MORE}, {@link #END} (it was the closing quote) or {@link #INVALID}. */
  int accept(int c) {
    switch (state) {
      case PLAIN -> {
        if (c == '"') {
          if (text != null) {
            text.endSegment();
          }
          return END;
        }
        if (c == '\\') {
          state = ESCAPE;
        } else if (c < 0x20) {
          return INVALID;
        } else {
          // One UTF-16 unit per UTF-8 lead byte, two for a 4-byte sequence (a surrogate pair).
          if ((c & 0xC0) != 0x80) {
            chars += c >= 0xF0 ? 2 : 1;
          }
          keyByte(c);
          if (text != null) {
            text.utf8(c);
          }
        }
      }
      case ESCAPE -> {
        int decoded = decodeEscape(c);
        if (decoded < 0) {
          return INVALID;
        }
        if (c == 'u') {
          unicodeDigits = 0;
          unicodeValue = 0;
          state = UNICODE;
        } else {
          chars++;
          keyByte(decoded);
          if (text != null) {
            text.unit(decoded);
          }
          state = PLAIN;
        }
      }
      default -> {
        int digit = Character.digit(c, 16);
        if (digit < 0) {
          return INVALID;
        }
        unicodeValue = unicodeValue << 4 | digit;
        if (++unicodeDigits == 4) {
          chars++;
          // Names we match are ASCII; anything else can only be a name nobody asked for.
          keyByte(unicodeValue < 0x80 ? unicodeValue : -1);
          if (text != null) {
            text.unit(unicodeValue);
          }
          state = PLAIN;
        }
      }
    }
    raw(c);
    return MORE;
  }

  /** UTF-16 units read so far. */
  long chars() {
    return chars;
  }

  byte[] key() {
    return key;
  }

  /** Length of the kept name, or -1 when it cannot be a name anybody matches (too long, not ASCII). */
  int keyLength() {
    return keyLength;
  }

  /** The kept value, decoded; null when it was longer than {@link JsonTokenizer#CAPTURE_CAPACITY} bytes. */
  String captured() {
    return captureLength < 0 ? null : JsonNames.decode(capture, captureLength);
  }

  private static int decodeEscape(int c) {
    return switch (c) {
      case '"', '\\', '/', 'u' -> c;
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      default -> -1;
    };
  }

  private void keyByte(int c) {
    if (keepKey && keyLength >= 0) {
      if (c >= 0 && keyLength < key.length) {
        key[keyLength++] = (byte) c;
      } else {
        keyLength = -1;
      }
    }
  }

  private void raw(int c) {
    if (keepRaw && captureLength >= 0) {
      if (captureLength < capture.length) {
        capture[captureLength++] = (byte) c;
      } else {
        captureLength = -1;
      }
    }
  }
}
