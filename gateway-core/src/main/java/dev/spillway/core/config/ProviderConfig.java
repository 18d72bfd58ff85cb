package dev.spillway.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How requests are adapted to a backend that is a hosted provider: headers set (its API key) or removed, the
 * client's own key taken out, the path rewritten. The header values may be secrets: {@link #toString()} never
 * shows them.
 *
 * @param setHeaders headers set on every request to the backend, replacing the client's (names as written)
 * @param removeHeaders headers removed from every request to the backend
 * @param removeClientKey remove the client's {@code Authorization}, {@code x-api-key} and {@code api-key}
 *     before the headers above are set
 * @param pathPrefix put in front of the client's path ({@code /openai}), or {@code null}
 * @param path the whole target for the backend, replacing the client's path and query; {@code {model}}
 *     stands for the model asked for (the tier's, else the request's); or {@code null}
 */
public record ProviderConfig(Map<String, String> setHeaders, List<String> removeHeaders, boolean removeClientKey,
    String pathPrefix, String path) {
  /** The client's request passes unchanged. */
  public static final ProviderConfig NONE = new ProviderConfig(Map.of(), List.of(), false, null, null);
  /** Headers that carry a client's API key. */
  public static final List<String> CLIENT_KEY_HEADERS = List.of("authorization", "x-api-key", "api-key");
  /** The placeholder in {@link #path()} for the model. */
  public static final String MODEL_PLACEHOLDER = "{model}";

  public ProviderConfig {
    Checks.notNull("setHeaders", setHeaders);
    Checks.notNull("removeHeaders", removeHeaders);
    setHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(setHeaders));
    removeHeaders = List.copyOf(removeHeaders);
    for (String name : setHeaders.keySet()) {
      checkHeaderName("requestHeaders.set", name);
      if (setHeaders.get(name) == null || setHeaders.get(name).indexOf('\r') >= 0
          || setHeaders.get(name).indexOf('\n') >= 0) {
        throw new ConfigException("requestHeaders.set." + name, "the value (not shown) is empty or has a line break");
      }
    }
    for (String name : removeHeaders) {
      checkHeaderName("requestHeaders.remove", name);
    }
    if (pathPrefix != null && (!pathPrefix.startsWith("/") || pathPrefix.endsWith("/") || pathPrefix.length() < 2
        || pathPrefix.contains("?"))) {
      throw new ConfigException("pathPrefix", "\"" + pathPrefix + "\" (expected: a path such as /openai, starting "
          + "with / and not ending with it)");
    }
    if (path != null && !path.startsWith("/")) {
      throw new ConfigException("path", "\"" + path + "\" (expected: an origin-form target starting with /)");
    }
    if (path != null && pathPrefix != null) {
      throw new ConfigException("pathPrefix", "set together with path (expected: one of them)");
    }
  }

  /** Whether requests pass unchanged. */
  public boolean isNone() {
    return setHeaders.isEmpty() && removeHeaders.isEmpty() && !removeClientKey && pathPrefix == null && path == null;
  }

  /** Whether building the path needs the model. */
  public boolean pathNeedsModel() {
    return path != null && path.contains(MODEL_PLACEHOLDER);
  }

  private static void checkHeaderName(String key, String name) {
    if (name == null || name.isEmpty()) {
      throw new ConfigException(key, "an empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        throw new ConfigException(key, "\"" + name + "\" is not a header name");
      }
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("host") || lower.equals("content-length") || lower.equals("transfer-encoding")
        || lower.equals("connection")) {
      throw new ConfigException(key, "\"" + name + "\" is managed by the gateway (expected: another header)");
    }
  }

  /** Header names with their values masked, so a log line or error never shows a key. */
  @Override
  public String toString() {
    List<String> set = new ArrayList<>(setHeaders.size());
    setHeaders.keySet().forEach(name -> set.add(name + "=(redacted)"));
    return "ProviderConfig[setHeaders=" + set + ", removeHeaders=" + removeHeaders + ", removeClientKey="
        + removeClientKey + ", pathPrefix=" + pathPrefix + ", path=" + path + "]";
  }
}
