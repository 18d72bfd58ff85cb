package dev.spillway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoutingTest {

  @Test
  void normalizesHostHeaders() {
    assertThat(Router.normalizeHost("API.Example.com:8080")).isEqualTo("api.example.com");
    assertThat(Router.normalizeHost("[::1]:8080")).isEqualTo("[::1]");
    assertThat(Router.normalizeHost("example.com")).isEqualTo("example.com");
    assertThat(Router.normalizeHost(null)).isNull();
  }

  @Test
  void parsesOriginAndAbsoluteFormTargets() {
    assertThat(RequestTarget.parse("/v1/chat?x=1")).isEqualTo(new RequestTarget("/v1/chat?x=1", "/v1/chat", null));
    assertThat(RequestTarget.parse("http://h:81/v1/x?y")).isEqualTo(new RequestTarget("/v1/x?y", "/v1/x", "h:81"));
    assertThat(RequestTarget.parse("http://h")).isEqualTo(new RequestTarget("/", "/", "h"));
    assertThat(RequestTarget.parse("http://h?q")).isEqualTo(new RequestTarget("/?q", "/", "h"));
    assertThat(RequestTarget.parse("*")).isNull();
    assertThat(RequestTarget.parse("ftp://h/x")).isNull();
    assertThat(RequestTarget.parse("http://user@h/x")).isNull();
  }
}
