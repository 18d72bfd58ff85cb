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

  @Test
  void normalizesPathsBeforeRouting() {
    assertThat(PathNormalizer.normalize("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
    assertThat(PathNormalizer.normalize("/")).isEqualTo("/");
    assertThat(PathNormalizer.normalize("/v1/./chat/../models")).isEqualTo("/v1/models");
    assertThat(PathNormalizer.normalize("/v1/%2e%2E/admin")).isEqualTo("/admin");
    assertThat(PathNormalizer.normalize("/v1/.%2e/.%2E/../admin")).isEqualTo("/admin");
    assertThat(PathNormalizer.normalize("/../../etc")).isEqualTo("/etc");
    assertThat(PathNormalizer.normalize("//v1///models//")).isEqualTo("/v1/models/");
    assertThat(PathNormalizer.normalize("/v1/..")).isEqualTo("/");
    assertThat(PathNormalizer.normalize("/v1/.")).isEqualTo("/v1/");
    assertThat(PathNormalizer.normalize("/v1/%76%31/%7e")).isEqualTo("/v1/v1/~");
    assertThat(PathNormalizer.normalize("/files/a%20b%3a")).isEqualTo("/files/a%20b%3A");
    assertThat(PathNormalizer.normalize("/v1/.well-known/..x")).isEqualTo("/v1/.well-known/..x");
  }

  @Test
  void rejectsPathsBackendsWouldReadDifferently() {
    for (String bad : new String[] {"/v1%2Fadmin", "/v1/%2f..%2fadmin", "/v1/%5c..", "/v1\\..\\admin",
        "/v1/%00", "/v1/%1f", "/v1/%7F", "/v1/%", "/v1/%4", "/v1/%zz"}) {
      assertThat(PathNormalizer.normalize(bad)).as(bad).isNull();
      assertThat(RequestTarget.parse(bad + "?q=1")).as(bad).isNull();
    }
  }

  @Test
  void forwardsTheNormalizedPathWithTheQueryAsSent() {
    assertThat(RequestTarget.parse("/v1/x/../chat?a=%2F..")).isEqualTo(new RequestTarget("/v1/chat?a=%2F..",
        "/v1/chat", null));
    assertThat(RequestTarget.parse("http://h//v1/./x")).isEqualTo(new RequestTarget("/v1/x", "/v1/x", "h"));
  }

  @Test
  void prefixesMatchOnSegmentBoundaries() {
    assertThat(PathNormalizer.underPrefix("/v1", "/v1")).isTrue();
    assertThat(PathNormalizer.underPrefix("/v1/", "/v1")).isTrue();
    assertThat(PathNormalizer.underPrefix("/v1/chat", "/v1")).isTrue();
    assertThat(PathNormalizer.underPrefix("/v1x", "/v1")).isFalse();
    assertThat(PathNormalizer.underPrefix("/v10/chat", "/v1")).isFalse();
    assertThat(PathNormalizer.underPrefix("/v1/chat", "/v1/")).isTrue();
    assertThat(PathNormalizer.underPrefix("/v1", "/v1/")).isFalse();
    assertThat(PathNormalizer.underPrefix("/anything", "/")).isTrue();
  }
}
