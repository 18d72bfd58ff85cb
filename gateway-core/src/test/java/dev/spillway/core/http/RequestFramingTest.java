package dev.spillway.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class RequestFramingTest {

  @Test
  void classifiesBodies() {
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1)).bodyLength()).isEqualTo(RequestFraming.NO_BODY);
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1, "content-length", "0")).bodyLength()).isZero();
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1, "content-length", "42")).bodyLength()).isEqualTo(42);
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1, "transfer-encoding", "chunked")).bodyLength())
        .isEqualTo(RequestFraming.CHUNKED);
  }

  @Test
  void rejectsAmbiguity() {
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1, "content-length", "1", "transfer-encoding",
        "chunked")).error()).isEqualTo(GatewayError.AMBIGUOUS_FRAMING);
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1, "content-length", "1", "content-length", "1"))
        .error()).isEqualTo(GatewayError.AMBIGUOUS_FRAMING);
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1, "content-length", "+1")).error())
        .isEqualTo(GatewayError.AMBIGUOUS_FRAMING);
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_0, "transfer-encoding", "chunked")).error())
        .isEqualTo(GatewayError.AMBIGUOUS_FRAMING);
    assertThat(RequestFraming.check(request(HttpVersion.HTTP_1_1, "transfer-encoding", "gzip, chunked")).error())
        .isEqualTo(GatewayError.UNSUPPORTED_TRANSFER_CODING);
  }

  @Test
  void parsesOnlyPlainDigitsAsContentLength() {
    assertThat(RequestFraming.parseContentLength(" 12 ")).isEqualTo(12);
    assertThat(RequestFraming.parseContentLength("1 2")).isEqualTo(-1);
    assertThat(RequestFraming.parseContentLength("0x10")).isEqualTo(-1);
    assertThat(RequestFraming.parseContentLength("9".repeat(19))).isEqualTo(-1);
  }

  private static HttpRequest request(HttpVersion version, String... headers) {
    HttpRequest r = new DefaultHttpRequest(version, HttpMethod.POST, "/");
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }
}
