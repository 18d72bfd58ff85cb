package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ForwardedHeadersConfig;
import dev.spillway.core.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request heads that nginx and HAProxy refuse (RFC 9112 §2–§5): each gets a JSON error with
 * {@code Connection: close}, and nothing reaches a backend.
 */
class HostileRequestHeadTest {

  /** Sends {@code raw} and returns the answer, asserting that no backend was contacted and the client closed. */
  private static String rejected(EmbeddedProxy proxy, String raw) {
    proxy.clientSends(raw);
    String received = proxy.clientReceived();
    assertThat(proxy.upstreams).as("no backend connection").isEmpty();
    assertThat(received.toLowerCase()).contains("connection: close\r\n").contains("content-type: application/json");
    assertThat(received).contains("{\"error\":{\"message\":");
    assertThat(proxy.client.isOpen()).isFalse();
    return received;
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0001", "\u007f", "\u0000", "\u001b", "\u00e9", "#frag"})
  void controlAndNonAsciiCharactersInTheTargetAre400(String bad) {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "GET /v1/mo" + bad + "dels HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"http/1.1", "Http/1.1", "HTTP/1.1x", "HTTP/01.1", "HTTP/1", "HTTP/1.1 extra"})
  void malformedVersionsAre400(String version) {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "GET /v1/models " + version + "\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/2.0", "HTTP/1.2", "HTTP/3.0"})
  void otherVersionsAre505(String version) {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "GET /v1/models " + version + "\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 505 ");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"GE(T", "G\"ET", "GET,", "[GET]"})
  void methodsThatAreNotTokensAre400(String method) {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, method + " /v1/models HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void moreHeaderFieldsThanTheLimitAre431() {
    StringBuilder head = new StringBuilder("GET /v1/models HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 1000; i++) {
      head.append("X-").append(i).append(": 1\r\n");
    }
    try (EmbeddedProxy proxy = new EmbeddedProxy(ServerConfig.DEFAULTS.withHeaderHygiene(100,
        ForwardedHeadersConfig.DEFAULTS, false).withMaxHeaderSize(64 * 1024), EmbeddedProxy.backend("primary"))) {
      String received = rejected(proxy, head.append("\r\n").toString());
      assertThat(received).startsWith("HTTP/1.1 431 ").contains("more header fields");
    }
  }

  @Test
  void exactlyTheLimitOfHeaderFieldsIsForwarded() {
    StringBuilder head = new StringBuilder("GET /v1/models HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 99; i++) {
      head.append("X-").append(i).append(": 1\r\n");
    }
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends(head.append("\r\n").toString());
      assertThat(proxy.upstreamReceived()).startsWith("GET /v1/models HTTP/1.1\r\n");
    }
  }

  @Test
  void whitespaceBeforeAHeaderColonIs400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "GET /v1/models HTTP/1.1\r\nHost: a\r\nX-A : 1\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void differingContentLengthsAre400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"))
          .startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void contentLengthListIs400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd"))
          .startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void signedContentLengthIs400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "POST /v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc"))
          .startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void transferCodingOtherThanChunkedLastIs400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"))
          .startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void transferEncodingInHttp10Is400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "POST /v1/x HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
          .matches("(?s)HTTP/1\\.[01] 400 .*");
    }
  }

  @Test
  void badChunkSizeIs400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST /v1/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 400 ");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void obsFoldIsReplacedBySpaceNotForwarded() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n");
      String sent = proxy.upstreamReceived();
      assertThat(sent).doesNotContain("\r\n two");
      assertThat(sent.toLowerCase()).containsPattern("x-folded: one\\s*two\r\n");
    }
  }

  @Test
  void missingHostInHttp11Is400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "GET /v1/models HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void duplicateHostIs400() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      assertThat(rejected(proxy, "GET /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }
  }

  @Test
  void headRequestErrorsCarryNoBody() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("HEAD /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 400 ").endsWith("\r\n\r\n");
    }
  }
}
