package dev.spillway.bench.state;

/** Which request header block a benchmark feeds the proxy (see {@link OpenAiTraffic#requestHeaders}). */
public enum HeaderSet {
  /** What openai-python sends: 17 fields, {@code Connection: keep-alive} the only hop-by-hop one. */
  SDK,
  /** The SDK's headers plus {@code Connection: foo} and {@code Foo: bar}, so the listed header is stripped. */
  CONNECTION_LISTED
}
