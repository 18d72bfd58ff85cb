package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.ProviderConfig;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A provider backend's headers and path, applied per attempt, on a route without retries. */
class ProviderForwardingTest {
  private static final String AZURE_PATH = "/openai/deployments/{model}/chat/completions?api-version=2024-10-21";

  private static EmbeddedProxy proxy(ProviderConfig provider) {
    BackendConfig azure = BackendConfig.of("azure", List.of(new EndpointAddress("x.openai.azure.com", 443,
        EndpointAddress.Scheme.HTTPS))).withProvider(provider);
    RouteConfig route = new RouteConfig("all", new RouteMatch(null, "/"), "azure").withRetry(RetryConfig.DISABLED);
    return new EmbeddedProxy(ServerConfig.DEFAULTS, List.of(route), azure);
  }

  private static String head(int length) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer sk-client\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n";
  }

  @Test
  void holdsTheBodyUntilTheModelForThePathIsKnownEvenWithoutRetries() {
    ProviderConfig provider = new ProviderConfig(Map.of("api-key", "azure-key"), List.of(), true, null, AZURE_PATH);
    String body = "{\"model\":\"gpt-4o\",\"messages\":[]}";
    try (EmbeddedProxy proxy = proxy(provider)) {
      proxy.clientSends(head(body.length()));
      assertThat(proxy.upstreams).as("nothing forwarded before the body names the model").isEmpty();

      proxy.clientSends(body);
      String sent = proxy.upstreamReceived();

      assertThat(sent).startsWith("POST /openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21 HTTP/1.1");
      assertThat(sent).contains("api-key: azure-key").doesNotContain("sk-client").endsWith(body);
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 OK");
    }
  }

  @Test
  void aBodyWithoutAModelGetsModelRequired() {
    ProviderConfig provider = new ProviderConfig(Map.of(), List.of(), false, null, AZURE_PATH);
    String body = "{\"messages\":[]}";
    try (EmbeddedProxy proxy = proxy(provider)) {
      proxy.clientSends(head(body.length()) + body);

      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 400 Bad Request").contains("model_required");
    }
  }

  @Test
  void prefixAndHeadersApplyWhileTheBodyStreams() {
    ProviderConfig provider = new ProviderConfig(Map.of("Authorization", "Bearer sk-provider"), List.of(), true,
        "/openai", null);
    try (EmbeddedProxy proxy = proxy(provider)) {
      proxy.clientSends(head(4));
      String sent = proxy.upstreamReceived();

      assertThat(sent).startsWith("POST /openai/v1/chat/completions HTTP/1.1")
          .contains("Authorization: Bearer sk-provider").doesNotContain("sk-client");
      proxy.clientSends("{}{}");
      assertThat(proxy.upstreamReceived()).isEqualTo("{}{}");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 OK");
    }
  }
}
