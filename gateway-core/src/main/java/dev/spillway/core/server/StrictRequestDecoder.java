package dev.spillway.core.server;

import dev.spillway.core.http.GatewayError;
import dev.spillway.core.http.RejectedHead;
import dev.spillway.core.http.RequestLineRules;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.AsciiString;

/**
 * Netty's request decoder with the rules it leaves lenient made strict (RFC 9112): the request line's method,
 * target and version ({@link RequestLineRules}: Netty upper-cases a version and keeps control characters in a
 * target), a cap on the number of header fields (Netty only bounds their bytes), and a message carrying both
 * {@code Transfer-Encoding: chunked} and {@code Content-Length} rejected instead of silently read as chunked.
 *
 * <p>What Netty already rejects stays with Netty: whitespace before a header's colon, invalid header names and
 * values, bad chunk sizes, differing repeated {@code Content-Length}s, a request line that does not end
 * cleanly. An obs-fold line is replaced by a space, as RFC 9112 §5.2 allows. Every rejection becomes a failed
 * message whose cause {@link RejectedHead#errorFor} maps to the answer.
 */
class StrictRequestDecoder extends HttpRequestDecoder {
  private final int maxHeaderCount;
  /** Header fields of the current message so far (trailers included). */
  private int headerCount;

  StrictRequestDecoder(HttpDecoderConfig config, int maxHeaderCount) {
    super(config);
    this.maxHeaderCount = maxHeaderCount;
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) throws Exception {
    RequestLineRules.check(initialLine[0], initialLine[1], initialLine[2]);
    headerCount = 0;
    return super.createMessage(initialLine);
  }

  @Override
  protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
    if (++headerCount > maxHeaderCount) {
      throw new RejectedHead(GatewayError.TOO_MANY_HEADERS, "more than " + maxHeaderCount + " header fields");
    }
    return super.splitHeaderName(sb, start, length);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // RFC 9112 §6.1 lets a server read this as chunked, but a backend or another proxy may not: refuse it.
    throw new RejectedHead(GatewayError.AMBIGUOUS_FRAMING, "both Transfer-Encoding and Content-Length");
  }
}
