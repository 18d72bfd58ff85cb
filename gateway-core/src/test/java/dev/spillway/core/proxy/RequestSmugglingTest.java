package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The framing of what goes upstream is the gateway's own verdict, never what survives header stripping: a
 * {@code Connection} header naming a framing header cannot turn a body into a second request.
 */
class RequestSmugglingTest {
  private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

  @Test
  void connectionNamingContentLengthCannotUnframeTheBody() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
          + "Connection: keep-alive, content-length\r\n"
          + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED);
      String sent = proxy.upstreamReceived();
      assertThat(sent.toLowerCase()).contains("content-length: " + SMUGGLED.length() + "\r\n");
      // The body follows the head as a body: exactly one head, then the declared bytes.
      assertThat(sent).endsWith("\r\n\r\n" + SMUGGLED);
      assertThat(sent.split("HTTP/1.1\r\n", -1)).hasSize(3); // the POST head and the body's own text
      assertThat(sent).startsWith("POST /v1/chat/completions HTTP/1.1\r\n");
    }
  }

  @Test
  void connectionNamingTransferEncodingKeepsTheChunkedFraming() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
          + "Connection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n");
      String sent = proxy.upstreamReceived();
      assertThat(sent.toLowerCase()).contains("transfer-encoding: chunked\r\n").doesNotContain("content-length");
      assertThat(sent).endsWith(Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n");
    }
  }

  @Test
  void connectionNamingHostKeepsTheEndpointHost() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nConnection: host, x-drop\r\nX-Drop: 1\r\n\r\n");
      String sent = proxy.upstreamReceived().toLowerCase();
      assertThat(sent).contains("host: 10.0.0.11:8000\r\n").doesNotContain("x-drop");
    }
  }

  @Test
  void aDeclaredEmptyBodyStaysDeclared() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST /v1/x HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.upstreamReceived().toLowerCase()).contains("content-length: 0\r\n");
    }
  }

  @Test
  void responseConnectionNamingContentLengthKeepsTheResponseFramed() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nConnection: content-length, transfer-encoding\r\n"
          + "Content-Length: 2\r\n\r\n{}");
      String received = proxy.clientReceived();
      assertThat(received.toLowerCase()).contains("content-length: 2\r\n").doesNotContain("transfer-encoding");
      assertThat(received).endsWith("\r\n\r\n{}");
    }
  }

  @Test
  void contentLengthWithTransferEncodingIsRejectedAndClosed() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "0\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 400 ");
      assertThat(received.toLowerCase()).contains("connection: close");
      assertThat(proxy.upstreams).isEmpty();
    }
  }
}
