package dev.spillway.core.admission.reject;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentNegotiationTest {
  static final String CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
      + "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";
  static final String FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  static final String SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

  @ParameterizedTest
  @ValueSource(strings = {
      CHROME,
      FIREFOX,
      "text/html",
      "TEXT/HTML",
      "text/html ; charset=utf-8 , */* ; q=0.1",
      "application/json;q=0.5, text/html",
      "text/html;q=0.9, */*;q=0.8",
      "text/html;Q=1.000, application/json;q=0.999",
      "image/webp, text/html",
  })
  void browsersGetHtml(String accept) {
    assertThat(prefersHtml(accept)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "*/*",                                   // curl, and most HTTP libraries
      "application/json",                      // the OpenAI SDKs
      "application/json, text/plain, */*",     // axios
      "application/json, text/html",           // a tie goes to the API
      "text/html, */*",                        // a tie with */* as well
      "text/html;q=0.5, application/json",
      "text/html;q=0",
      "text/html;q=0.000",
      "text/html;q=0.8, application/xml",      // something else ranks higher
      "text/*",
      "text/html;q=2",                         // malformed weights do not count
      "text/html;q=0.1234",
      "text/html;q=abc",
      "text/html;q=",
      "application/*",
      "",
      ", ;q=1",
  })
  void apiClientsAndDoubtfulCasesGetJson(String accept) {
    assertThat(prefersHtml(accept)).isFalse();
  }

  @Test
  void missingHeaderMeansJson() {
    assertThat(ContentNegotiation.prefersHtml(new DefaultHttpHeaders())).isFalse();
  }

  @Test
  void readsEveryAcceptField() {
    HttpHeaders headers = new DefaultHttpHeaders().add("Accept", "application/json;q=0.5").add("Accept",
        "text/html");
    assertThat(ContentNegotiation.prefersHtml(headers)).isTrue();
    headers.add("Accept", "application/json");
    assertThat(ContentNegotiation.prefersHtml(headers)).isFalse();
  }

  @Test
  void ignoresParametersOtherThanQ() {
    assertThat(prefersHtml("text/html;level=1;q=0.9, application/json;q=0.8")).isTrue();
    assertThat(prefersHtml("text/html;level=1;q=0.7, application/json;q=0.8")).isFalse();
    assertThat(prefersHtml(SAFARI)).isTrue();
  }

  private static boolean prefersHtml(String accept) {
    return ContentNegotiation.prefersHtml(new DefaultHttpHeaders().add("Accept", accept));
  }
}
