package dev.spillway.core.llm;

/**
 * The line structure of a Server-Sent-Events stream (WHATWG HTML, "event stream interpretation"), one byte at
 * a time: which bytes are the value of a {@code data} field, and where an event ends. Lines end with CRLF, LF
 * or CR; an empty line ends the event.
 */
final class SseLineState {
  /** A byte of no interest: a field name, a comment, another field's value, a line end. */
  static final int NONE = 0;
  /** A byte of a {@code data} field's value. */
  static final int DATA = 1;
  /** The name of a second (or later) {@code data} field of the event just ended; the values join with LF. */
  static final int DATA_BREAK = 2;
  /** The byte ended the event (the line end of its empty line). */
  static final int EVENT_END = 3;
  /** The LF of a CRLF whose CR ended the previous event: it belongs to that event. */
  static final int PREVIOUS_EVENT = 4;

  private static final byte[] DATA_FIELD = JsonNames.bytes("data:");

  private static final int LINE_START = 0;
  private static final int FIELD = 1;
  private static final int VALUE_FIRST = 2;
  private static final int VALUE = 3;
  private static final int SKIP = 4;

  private int state = LINE_START;
  private int fieldIndex;
  private boolean afterCr;
  private boolean eventEndedWithCr;
  private int dataLines;

  int accept(int c) {
    if (eventEndedWithCr) {
      eventEndedWithCr = false;
      if (c == '\n') {
        return PREVIOUS_EVENT;
      }
    }
    switch (state) {
      case LINE_START -> {
        if (afterCr && c == '\n') {
          afterCr = false;
          return NONE;
        }
        afterCr = false;
        if (c == '\r' || c == '\n') {
          eventEndedWithCr = c == '\r';
          dataLines = 0;
          return EVENT_END;
        }
        if (c == 'd') {
          state = FIELD;
          fieldIndex = 1;
        } else {
          state = SKIP;
        }
        return NONE;
      }
      case FIELD -> {
        if (c != DATA_FIELD[fieldIndex]) {
          return skip(c);
        }
        if (++fieldIndex == DATA_FIELD.length) {
          state = VALUE_FIRST;
          return dataLines++ > 0 ? DATA_BREAK : NONE;
        }
        return NONE;
      }
      case VALUE_FIRST -> {
        // One space after the colon is part of the syntax, not of the value.
        state = VALUE;
        return c == ' ' ? NONE : value(c);
      }
      case VALUE -> {
        return value(c);
      }
      default -> {
        return skip(c);
      }
    }
  }

  private int value(int c) {
    if (c == '\r' || c == '\n') {
      lineEnd(c);
      return NONE;
    }
    return DATA;
  }

  private int skip(int c) {
    if (c == '\r' || c == '\n') {
      lineEnd(c);
    } else {
      state = SKIP;
    }
    return NONE;
  }

  private void lineEnd(int c) {
    state = LINE_START;
    afterCr = c == '\r';
  }
}
