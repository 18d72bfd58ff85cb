package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.ProviderConfig;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderRewriterTest {
  private static HttpRequest clientHead() {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions?x=1");
    head.headers().set("Authorization", "Bearer sk-client").set("x-api-key", "sk-client")
        .set("api-key", "sk-client").set("x-debug", "1").set("content-type", "application/json");
    return head;
  }

  @Test
  void removesTheClientsKeyThenSetsTheProviders() {
    ProviderConfig provider = new ProviderConfig(Map.of("Authorization", "Bearer sk-provider"), List.of("x-debug"),
        true, null, null);
    HttpRequest head = clientHead();

    ProviderRewriter.apply(head, provider, null);

    assertThat(head.headers().getAll("authorization")).containsExactly("Bearer sk-provider");
    assertThat(head.headers().contains("x-api-key")).isFalse();
    assertThat(head.headers().contains("api-key")).isFalse();
    assertThat(head.headers().contains("x-debug")).isFalse();
    assertThat(head.headers().get("content-type")).isEqualTo("application/json");
    assertThat(head.uri()).isEqualTo("/v1/chat/completions?x=1");
  }

  @Test
  void withoutRemoveClientKeyOnlyTheSetHeaderIsReplaced() {
    ProviderConfig provider = new ProviderConfig(Map.of("api-key", "azure"), List.of(), false, null, null);
    HttpRequest head = clientHead();

    ProviderRewriter.apply(head, provider, null);

    assertThat(head.headers().get("api-key")).isEqualTo("azure");
    assertThat(head.headers().get("authorization")).isEqualTo("Bearer sk-client");
  }

  @Test
  void prefixesThePathKeepingTheQuery() {
    ProviderConfig provider = new ProviderConfig(Map.of(), List.of(), false, "/openai", null);

    assertThat(ProviderRewriter.target("/v1/chat/completions?x=1", provider, null))
        .isEqualTo("/openai/v1/chat/completions?x=1");
  }

  @Test
  void azureTemplateTakesTheModelAsOneEncodedSegment() {
    ProviderConfig provider = new ProviderConfig(Map.of(), List.of(), false, null,
        "/openai/deployments/{model}/chat/completions?api-version=2024-10-21");

    assertThat(ProviderRewriter.target("/v1/chat/completions", provider, "gpt-4o-mini"))
        .isEqualTo("/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21");
    assertThat(ProviderRewriter.target("/v1/chat/completions", provider, "a/b c"))
        .isEqualTo("/openai/deployments/a%2Fb%20c/chat/completions?api-version=2024-10-21");
    assertThat(provider.pathNeedsModel()).isTrue();
  }

  @Test
  void rejectsHeadersTheGatewayManagesAndBadPaths() {
    assertThatThrownBy(() -> new ProviderConfig(Map.of("Host", "x"), List.of(), false, null, null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("managed by the gateway");
    assertThatThrownBy(() -> new ProviderConfig(Map.of("bad name", "x"), List.of(), false, null, null))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new ProviderConfig(Map.of(), List.of(), false, "openai", null))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new ProviderConfig(Map.of("a", "x\r\ny: z"), List.of(), false, null, null))
        .isInstanceOf(ConfigException.class).hasMessageNotContaining("y: z");
  }
}
