package dev.spillway.core.llm;

import static dev.spillway.core.llm.JsonNames.bytes;
import static dev.spillway.core.llm.JsonNames.is;
import static dev.spillway.core.llm.JsonTokenizer.IGNORE;

/**
 * Finds where {@link RequestBodies#withModel} must edit: the top-level object's opening brace and the value
 * of its last {@code model} member (a {@code model} anywhere deeper is never asked about). Offsets are relative
 * to the first byte fed.
 */
final class ModelVisitor implements JsonVisitor {
  static final int ROOT = 1;
  private static final int MODEL = 2;

  private static final byte[] K_MODEL = bytes("model");

  JsonTokenizer tokenizer;
  long rootStart = -1;
  int rootMembers;
  long modelStart = -1;
  long modelEnd;

  @Override
  public int keyTag(int objectTag, byte[] key, int length) {
    if (objectTag != ROOT) {
      return IGNORE;
    }
    rootMembers++;
    return is(key, length, K_MODEL) ? MODEL : IGNORE;
  }

  @Override
  public int elementTag(int arrayTag, int index) {
    return IGNORE;
  }

  @Override
  public void startObject(int tag) {
    if (tag == ROOT) {
      rootStart = tokenizer.valueStart();
    } else {
      modelStart = tokenizer.valueStart();
    }
  }

  @Override
  public void startArray(int tag) {
    modelStart = tokenizer.valueStart();
  }

  @Override
  public void endContainer(int tag) {
    if (tag == MODEL) {
      modelEnd = tokenizer.valueEnd();
    }
  }

  @Override
  public void string(int tag, long chars) {
    scalar();
  }

  @Override
  public void number(int tag, long value) {
    scalar();
  }

  @Override
  public void literal(int tag, int literal) {
    scalar();
  }

  // Only MODEL values reach the scalar callbacks: the root is an object and everything else is IGNORE.
  private void scalar() {
    modelStart = tokenizer.valueStart();
    modelEnd = tokenizer.valueEnd();
  }
}
