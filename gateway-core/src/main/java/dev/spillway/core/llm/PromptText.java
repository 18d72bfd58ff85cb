package dev.spillway.core.llm;

import java.nio.charset.StandardCharsets;

/**
 * The decoded text of a request's prompt strings, kept for a BPE token count ({@link PromptTokens}): the
 * JSON string values a {@link ChatRequestScanner} counts as prompt, unescaped, as UTF-8, one segment per
 * string (a tokenizer never merges tokens across two messages, so neither does the count).
 *
 * <p>Bounded: at most {@code capacity} bytes are kept (the scan itself is bounded by the held prefix, and
 * the BPE count costs time in proportion to the text; see docs/benchmarks.md). What does not fit is still
 * counted by the scanner in characters, and {@link PromptTokens} extrapolates the BPE count to it.
 *
 * <p>Not thread-safe: one instance per request, filled on its event loop.
 */
public final class PromptText {
  private static final int INITIAL = 256;
  private static final int REPLACEMENT = 0xFFFD;

  private final int capacity;
  private byte[] bytes = new byte[0];
  private int length;
  private int[] segmentEnds = new int[8];
  private int segments;
  private int pendingHighSurrogate = -1;
  private boolean full;

  /** Keeps at most {@code capacity} bytes of text. */
  public PromptText(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.capacity = capacity;
  }

  /** A raw UTF-8 byte of a string value (not part of an escape). */
  void utf8(int b) {
    flushSurrogate();
    put(b);
  }

  /** A UTF-16 code unit decoded from an escape ({@code \n}, {@code \u00e9}, half of a surrogate pair). */
  void unit(int u) {
    if (Character.isHighSurrogate((char) u)) {
      flushSurrogate();
      pendingHighSurrogate = u;
      return;
    }
    if (Character.isLowSurrogate((char) u)) {
      int high = pendingHighSurrogate;
      pendingHighSurrogate = -1;
      codePoint(high < 0 ? REPLACEMENT : Character.toCodePoint((char) high, (char) u));
      return;
    }
    flushSurrogate();
    codePoint(u);
  }

  /** The string value ended: what follows is another segment. */
  void endSegment() {
    flushSurrogate();
    if (segments > 0 && segmentEnds[segments - 1] == length) {
      return;
    }
    if (segments == segmentEnds.length) {
      segmentEnds = java.util.Arrays.copyOf(segmentEnds, segments * 2);
    }
    segmentEnds[segments++] = length;
  }

  /** Whether some text did not fit in the capacity. */
  public boolean truncated() {
    return full;
  }

  /** UTF-8 bytes kept. */
  public int bytes() {
    return length;
  }

  /** Number of segments, counting an unterminated last one. */
  public int segmentCount() {
    return segments + (length > (segments == 0 ? 0 : segmentEnds[segments - 1]) ? 1 : 0);
  }

  /**
   * Segment {@code i} as a string (a cut multi-byte sequence at its end decodes to U+FFFD, which is one token
   * or two: noise against the rest).
   */
  public String segment(int i) {
    int from = i == 0 ? 0 : segmentEnds[i - 1];
    int to = i < segments ? segmentEnds[i] : length;
    return new String(bytes, from, to - from, StandardCharsets.UTF_8);
  }

  private void flushSurrogate() {
    if (pendingHighSurrogate >= 0) {
      pendingHighSurrogate = -1;
      codePoint(REPLACEMENT);
    }
  }

  private void codePoint(int cp) {
    if (cp < 0x80) {
      put(cp);
    } else if (cp < 0x800) {
      put(0xC0 | cp >> 6);
      put(0x80 | cp & 0x3F);
    } else if (cp < 0x10000) {
      put(0xE0 | cp >> 12);
      put(0x80 | cp >> 6 & 0x3F);
      put(0x80 | cp & 0x3F);
    } else {
      put(0xF0 | cp >> 18);
      put(0x80 | cp >> 12 & 0x3F);
      put(0x80 | cp >> 6 & 0x3F);
      put(0x80 | cp & 0x3F);
    }
  }

  private void put(int b) {
    if (length == bytes.length) {
      if (length == capacity) {
        full = true;
        return;
      }
      bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(capacity, Math.max(INITIAL, 2L * length)));
    }
    bytes[length++] = (byte) b;
  }
}
