package dev.spillway.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.ForwardedHeadersConfig;
import dev.spillway.core.config.ForwardedHeadersConfig.Mode;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingHeadersTest {
  private static final InetAddress CLIENT = address("203.0.113.9");
  private static final InetAddress PROXY = address("10.1.2.3");

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpHeaders spoofed() {
    return new DefaultHttpHeaders()
        .add("Forwarded", "for=1.2.3.4;proto=https")
        .add("X-Forwarded-For", "1.2.3.4")
        .add("X-Forwarded-Proto", "https")
        .add("X-Forwarded-Host", "evil.example")
        .add("X-Forwarded-Port", "443")
        .add("X-Real-IP", "1.2.3.4");
  }

  private static ForwardingHeaders policy(Mode mode, String... trusted) {
    return new ForwardingHeaders(new ForwardedHeadersConfig(List.of(trusted), mode));
  }

  @Test
  void replaceDropsWhatAnUntrustedClientClaimsAndWritesTheTruth() {
    HttpHeaders h = spoofed();
    policy(Mode.REPLACE).apply(h, CLIENT, "203.0.113.9", "http", "api.example.com");
    assertThat(h.getAll("x-forwarded-for")).containsExactly("203.0.113.9");
    assertThat(h.getAll("x-forwarded-proto")).containsExactly("http");
    assertThat(h.getAll("x-forwarded-host")).containsExactly("api.example.com");
    assertThat(h.getAll("forwarded")).containsExactly("for=203.0.113.9;proto=http;host=\"api.example.com\"");
    assertThat(h.contains("x-real-ip")).isFalse();
    assertThat(h.contains("x-forwarded-port")).isFalse();
  }

  @Test
  void appendKeepsTheChainsButNotTheClaimedSchemeOrHost() {
    HttpHeaders h = spoofed();
    policy(Mode.APPEND).apply(h, CLIENT, "203.0.113.9", "http", "api.example.com");
    assertThat(h.get("x-forwarded-for")).isEqualTo("1.2.3.4, 203.0.113.9");
    assertThat(h.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(h.get("x-forwarded-host")).isEqualTo("api.example.com");
    assertThat(h.get("forwarded")).isEqualTo("for=1.2.3.4;proto=https, for=203.0.113.9;proto=http;"
        + "host=\"api.example.com\"");
    assertThat(h.contains("x-real-ip")).isFalse();
  }

  @Test
  void dropRemovesEverythingAndAddsNothing() {
    HttpHeaders h = spoofed();
    policy(Mode.DROP).apply(h, CLIENT, "203.0.113.9", "http", "api.example.com");
    assertThat(h.isEmpty()).isTrue();
  }

  @Test
  void aTrustedProxyIsBelievedAndExtended() {
    HttpHeaders h = spoofed();
    policy(Mode.REPLACE, "10.0.0.0/8").apply(h, PROXY, "10.1.2.3", "http", "gateway.internal");
    assertThat(h.get("x-forwarded-for")).isEqualTo("1.2.3.4, 10.1.2.3");
    assertThat(h.get("x-forwarded-proto")).as("the real scheme, as the TLS proxy saw it").isEqualTo("https");
    assertThat(h.get("x-forwarded-host")).isEqualTo("evil.example");
    assertThat(h.get("forwarded")).endsWith(", for=10.1.2.3;proto=http;host=\"gateway.internal\"");
  }

  @Test
  void aPeerOutsideTheTrustedRangesIsNotTrusted() {
    HttpHeaders h = spoofed();
    policy(Mode.REPLACE, "10.0.0.0/8").apply(h, CLIENT, "203.0.113.9", "http", null);
    assertThat(h.get("x-forwarded-for")).isEqualTo("203.0.113.9");
    assertThat(h.get("x-forwarded-proto")).isEqualTo("http");
    assertThat(h.contains("x-forwarded-host")).isFalse();
  }

  @Test
  void ipv6PeersAreQuotedInForwarded() {
    assertThat(ForwardingHeaders.forwardedElement("2001:db8::1", "http", null))
        .isEqualTo("for=\"[2001:db8::1]\";proto=http");
  }

  @Test
  void configRejectsWhatIsNotACidr() {
    assertThatThrownBy(() -> new ForwardedHeadersConfig(List.of("10.0.0.0/8", "proxy.internal"), Mode.APPEND))
        .isInstanceOf(ConfigException.class)
        .hasMessage("trustedProxies[1]: \"proxy.internal\" is not a CIDR (expected: e.g. 10.0.0.0/8, "
            + "192.168.1.7/32, ::1/128)");
  }
}
