package dev.spillway.bench.load;

/** The request to send as number {@code index} of a run; the same index always gives the same request. */
@FunctionalInterface
public interface RequestSource {
  ChatRequest request(long index);

  /** Every request the same. */
  static RequestSource constant(ChatRequest request) {
    return index -> request;
  }
}
