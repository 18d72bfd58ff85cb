package dev.spillway.core.proxy;

import dev.spillway.core.config.ProviderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Adapts a request head to a backend that is a hosted provider ({@link ProviderConfig}): the client's own key
 * removed, the listed headers removed, the provider's headers (its key) set, and the target rewritten, with a
 * prefix or a template such as Azure's {@code /openai/deployments/{model}/chat/completions?api-version=...}.
 *
 * <p>Works on a head that belongs to one attempt (a copy), never on the client's: a later attempt to another
 * backend must not carry this provider's key.
 */
final class ProviderRewriter {
  private ProviderRewriter() {}

  /**
   * Rewrites {@code head} in place.
   *
   * @param model the model the request asks this backend for (the tier's, else the client's); used only by a
   *     path template, may be {@code null} otherwise
   */
  static void apply(HttpRequest head, ProviderConfig provider, String model) {
    HttpHeaders headers = head.headers();
    if (provider.removeClientKey()) {
      for (String name : ProviderConfig.CLIENT_KEY_HEADERS) {
        headers.remove(name);
      }
    }
    for (String name : provider.removeHeaders()) {
      headers.remove(name);
    }
    for (Map.Entry<String, String> header : provider.setHeaders().entrySet()) {
      headers.set(header.getKey(), header.getValue());
    }
    head.setUri(target(head.uri(), provider, model));
  }

  /** The origin-form target for the backend. */
  static String target(String pathAndQuery, ProviderConfig provider, String model) {
    if (provider.path() != null) {
      if (!provider.pathNeedsModel()) {
        return provider.path();
      }
      if (model == null) {
        throw new IllegalArgumentException("path " + provider.path() + " needs a model");
      }
      return provider.path().replace(ProviderConfig.MODEL_PLACEHOLDER, encodeSegment(model));
    }
    if (provider.pathPrefix() != null) {
      return provider.pathPrefix() + pathAndQuery;
    }
    return pathAndQuery;
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters, so a model name stays one path segment. */
  static String encodeSegment(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~';
      if (unreserved) {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
