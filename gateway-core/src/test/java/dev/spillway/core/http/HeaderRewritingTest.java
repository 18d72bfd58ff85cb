package dev.spillway.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HeaderRewritingTest {

  @Test
  void stripsFixedAndConnectionListedHeaders() {
    HttpHeaders h = new DefaultHttpHeaders()
        .add("Connection", "keep-alive, X-A")
        .add("Connection", "x-b ,, ")
        .add("X-A", "1").add("X-B", "2").add("X-C", "3")
        .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive").add("TE", "trailers")
        .add("Trailer", "X-T").add("Transfer-Encoding", "chunked").add("Upgrade", "h2c")
        .add("Proxy-Authenticate", "Basic").add("Proxy-Authorization", "Basic x");
    HopByHopHeaders.strip(h);
    assertThat(h.names()).containsExactly("X-C");
  }

  @Test
  void appendsVia() {
    HttpHeaders h = new DefaultHttpHeaders().add("Via", "1.0 edge").add("Via", "1.1 mid");
    ProxyHeaders.appendVia(h);
    assertThat(h.getAll("via")).containsExactly("1.0 edge, 1.1 mid, 1.1 spillway");
  }

  @Test
  void keepsSaneRequestIdsAndReplacesOthers() {
    assertThat(RequestIds.keepOrGenerate("abc-123")).isEqualTo("abc-123");
    assertThat(RequestIds.keepOrGenerate("has space")).matches("[0-9a-f]{32}");
    assertThat(RequestIds.keepOrGenerate("x".repeat(201))).matches("[0-9a-f]{32}");
    assertThat(RequestIds.keepOrGenerate(null)).matches("[0-9a-f]{32}");
    assertThat(RequestIds.generate()).isNotEqualTo(RequestIds.generate());
  }

  @Test
  void errorBodiesAreOpenAiShaped() {
    for (GatewayError e : GatewayError.values()) {
      String json = new String(e.jsonBody(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(json).startsWith("{\"error\":{\"message\":\"").contains("\"type\":\"" + e.type() + "\"")
          .contains("\"param\":null").contains("\"code\":\"" + e.code() + "\"");
      assertThat(new String(e.sseEvent(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("data: {").endsWith("}\n\n");
    }
  }
}
