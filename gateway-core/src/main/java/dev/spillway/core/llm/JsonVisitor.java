package dev.spillway.core.llm;

/**
 * What a {@link JsonTokenizer} reports while it walks a JSON text. Every value carries a tag the visitor chose
 * for it (through {@link #keyTag} and {@link #elementTag}), so the visitor knows where it is without a path
 * string. Values tagged {@link JsonTokenizer#IGNORE} are skipped without callbacks, and so is everything inside
 * them: a visitor only pays for the subtrees it asked for.
 */
interface JsonVisitor {
  /** The tag for the value of member {@code key[0..length)} of an object tagged {@code objectTag}. */
  int keyTag(int objectTag, byte[] key, int length);

  /** The tag for element {@code index} of an array tagged {@code arrayTag}. */
  int elementTag(int arrayTag, int index);

  /** Whether the raw bytes of a string value with this tag should be kept ({@link JsonTokenizer#captured}). */
  default boolean capture(int tag) {
    return false;
  }

  /** Where the decoded text of a string value with this tag should go, or null to keep none. */
  default PromptText text(int tag) {
    return null;
  }

  default void startObject(int tag) {}

  default void startArray(int tag) {}

  /** The object or array opened with this tag was closed. */
  default void endContainer(int tag) {}

  /** A string value ended; {@code chars} is its length in UTF-16 units, as Java would count it. */
  default void string(int tag, long chars) {}

  /** A number ended; {@code value} is -1 unless it is a non-negative integer that fits a long. */
  default void number(int tag, long value) {}

  /** {@link JsonTokenizer#TRUE}, {@link JsonTokenizer#FALSE} or {@link JsonTokenizer#NULL}. */
  default void literal(int tag, int literal) {}
}
