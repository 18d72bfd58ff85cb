package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * A strict, incremental JSON (RFC 8259) tokenizer over bytes, fed in any split (inside strings, escapes,
 * numbers and UTF-8 sequences alike). It keeps no text of its own: only a container stack of at most
 * {@value #MAX_DEPTH} levels, the current member name (up to {@value #KEY_CAPACITY} bytes, enough for every
 * name a visitor matches) and, for string values a visitor asks for, their raw bytes (up to
 * {@value #CAPTURE_CAPACITY}); string values a visitor gives a {@link PromptText} for are decoded into it.
 *
 * <p>The top-level value must be an object, as every body and event this package reads is one. The tokenizer
 * stops at the end of that object ({@link #done()}) or at the first byte that is not JSON or not an object
 * ({@link #failed()}), including nesting deeper than {@value #MAX_DEPTH}. Failure is a state, never an
 * exception. One instance parses one text at a time; {@link #reset()} makes it ready for the next.
 */
final class JsonTokenizer implements ByteProcessor {
  /** The tag of values nobody asked about: they and their contents are parsed without callbacks. */
  static final int IGNORE = 0;
  static final int TRUE = 1;
  static final int FALSE = 2;
  static final int NULL = 3;
  static final int MAX_DEPTH = 64;
  static final int KEY_CAPACITY = 32;
  static final int CAPTURE_CAPACITY = 256;

  private static final byte[][] LITERALS = {null, JsonNames.bytes("true"), JsonNames.bytes("false"),
      JsonNames.bytes("null")};

  // Parser states; DONE and ERROR are final.
  private static final int VALUE = 0;
  private static final int ELEMENT = 1;
  private static final int ARRAY_FIRST = 2;
  private static final int OBJECT_FIRST = 3;
  private static final int KEY_START = 4;
  private static final int COLON = 5;
  private static final int AFTER_VALUE = 6;
  private static final int KEY = 7;
  private static final int STRING = 8;
  private static final int NUMBER = 9;
  private static final int LITERAL = 10;
  private static final int DONE = 11;
  private static final int ERROR = 12;

  private final JsonVisitor visitor;
  private final int rootTag;
  private final int[] tags = new int[MAX_DEPTH];
  private final int[] counts = new int[MAX_DEPTH];
  private final JsonStringState string = new JsonStringState();
  private final JsonNumberState number = new JsonNumberState();

  private long arrayLevels;
  private int depth;
  private int state;
  private int valueTag;
  private long position;
  private long valueStart;
  private long valueEnd;
  private int literal;
  private int literalIndex;

  JsonTokenizer(JsonVisitor visitor, int rootTag) {
    this.visitor = visitor;
    this.rootTag = rootTag;
    reset();
  }

  void reset() {
    depth = 0;
    arrayLevels = 0;
    state = VALUE;
    valueTag = rootTag;
    position = 0;
  }

  /**
   * Reads {@code buf[index, index + length)} by absolute index (its indexes are left alone) until the text
   * ends or fails; returns how many bytes it took.
   */
  int feed(ByteBuf buf, int index, int length) {
    if (length <= 0 || state >= DONE) {
      return 0;
    }
    int stop = buf.forEachByte(index, length, this);
    return stop < 0 ? length : stop - index + 1;
  }

  /** Takes one byte; returns false once the text has ended or failed. */
  @Override
  public boolean process(byte b) {
    step(b & 0xFF);
    position++;
    return state < DONE;
  }

  boolean done() {
    return state == DONE;
  }

  boolean failed() {
    return state == ERROR;
  }

  /** Bytes taken so far. */
  long position() {
    return position;
  }

  /** Offset of the first byte of the value being reported (valid in start and scalar callbacks). */
  long valueStart() {
    return valueStart;
  }

  /** Offset just past the value being reported (valid in scalar and end callbacks). */
  long valueEnd() {
    return valueEnd;
  }

  /** The tag of the string value being read right now, or {@link #IGNORE}. */
  int openStringTag() {
    return state == STRING ? valueTag : IGNORE;
  }

  /** UTF-16 units of the string value being read so far. */
  long openStringChars() {
    return string.chars();
  }

  /** The string value just reported, decoded, if its tag was {@link JsonVisitor#capture captured}. */
  String captured() {
    return string.captured();
  }

  private void step(int c) {
    switch (state) {
      case VALUE -> {
        if (!isWhitespace(c)) {
          startValue(c);
        }
      }
      case ELEMENT -> {
        if (!isWhitespace(c)) {
          startElement(c);
        }
      }
      case ARRAY_FIRST -> {
        if (c == ']') {
          close();
        } else if (!isWhitespace(c)) {
          startElement(c);
        }
      }
      case OBJECT_FIRST, KEY_START -> {
        if (c == '"') {
          startKey();
        } else if (c == '}' && state == OBJECT_FIRST) {
          close();
        } else if (!isWhitespace(c)) {
          fail();
        }
      }
      case COLON -> {
        if (c == ':') {
          state = VALUE;
        } else if (!isWhitespace(c)) {
          fail();
        }
      }
      case AFTER_VALUE -> afterValue(c);
      case KEY -> keyByte(c);
      case STRING -> stringByte(c);
      case NUMBER -> numberByte(c);
      case LITERAL -> literalByte(c);
      case DONE -> {
        if (!isWhitespace(c)) {
          fail();
        }
      }
      default -> { }
    }
  }

  private void startElement(int c) {
    int level = depth - 1;
    int arrayTag = tags[level];
    valueTag = arrayTag == IGNORE ? IGNORE : visitor.elementTag(arrayTag, counts[level]);
    counts[level]++;
    startValue(c);
  }

  private void startValue(int c) {
    valueStart = position;
    if (depth == 0 && c != '{') {
      fail();
      return;
    }
    switch (c) {
      case '{' -> open(false);
      case '[' -> open(true);
      case '"' -> {
        string.begin(false, valueTag != IGNORE && visitor.capture(valueTag),
            valueTag != IGNORE ? visitor.text(valueTag) : null);
        state = STRING;
      }
      case 't' -> startLiteral(TRUE);
      case 'f' -> startLiteral(FALSE);
      case 'n' -> startLiteral(NULL);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number.begin(c);
          state = NUMBER;
        } else {
          fail();
        }
      }
    }
  }

  private void open(boolean array) {
    if (depth == MAX_DEPTH) {
      fail();
      return;
    }
    tags[depth] = valueTag;
    counts[depth] = 0;
    if (array) {
      arrayLevels |= 1L << depth;
    } else {
      arrayLevels &= ~(1L << depth);
    }
    depth++;
    state = array ? ARRAY_FIRST : OBJECT_FIRST;
    if (valueTag != IGNORE) {
      if (array) {
        visitor.startArray(valueTag);
      } else {
        visitor.startObject(valueTag);
      }
    }
  }

  private void close() {
    depth--;
    valueEnd = position + 1;
    int tag = tags[depth];
    if (tag != IGNORE) {
      visitor.endContainer(tag);
    }
    valueEnded();
  }

  private void valueEnded() {
    state = depth == 0 ? DONE : AFTER_VALUE;
  }

  private void afterValue(int c) {
    boolean array = (arrayLevels & (1L << (depth - 1))) != 0;
    if (c == ',') {
      state = array ? ELEMENT : KEY_START;
    } else if (c == (array ? ']' : '}')) {
      close();
    } else if (!isWhitespace(c)) {
      fail();
    }
  }

  private void startKey() {
    counts[depth - 1]++;
    string.begin(tags[depth - 1] != IGNORE, false, null);
    state = KEY;
  }

  private void keyByte(int c) {
    int result = string.accept(c);
    if (result == JsonStringState.END) {
      int keyLength = string.keyLength();
      int objectTag = tags[depth - 1];
      valueTag = objectTag != IGNORE && keyLength >= 0 ? visitor.keyTag(objectTag, string.key(), keyLength) : IGNORE;
      state = COLON;
    } else if (result == JsonStringState.INVALID) {
      fail();
    }
  }

  private void stringByte(int c) {
    int result = string.accept(c);
    if (result == JsonStringState.END) {
      valueEnd = position + 1;
      if (valueTag != IGNORE) {
        visitor.string(valueTag, string.chars());
      }
      valueEnded();
    } else if (result == JsonStringState.INVALID) {
      fail();
    }
  }

  private void numberByte(int c) {
    int result = number.accept(c);
    if (result == JsonNumberState.END) {
      // A number ends at the first byte that cannot continue it; that byte belongs to what follows.
      valueEnd = position;
      if (valueTag != IGNORE) {
        visitor.number(valueTag, number.value());
      }
      valueEnded();
      step(c);
    } else if (result == JsonNumberState.INVALID) {
      fail();
    }
  }

  private void startLiteral(int kind) {
    literal = kind;
    literalIndex = 1;
    state = LITERAL;
  }

  private void literalByte(int c) {
    byte[] expected = LITERALS[literal];
    if (c != expected[literalIndex]) {
      fail();
      return;
    }
    if (++literalIndex == expected.length) {
      valueEnd = position + 1;
      if (valueTag != IGNORE) {
        visitor.literal(valueTag, literal);
      }
      valueEnded();
    }
  }

  private void fail() {
    state = ERROR;
  }

  private static boolean isWhitespace(int c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }
}
