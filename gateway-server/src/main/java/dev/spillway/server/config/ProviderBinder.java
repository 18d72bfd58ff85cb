package dev.spillway.server.config;

import dev.spillway.core.config.ProviderConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a backend's provider keys: {@code requestHeaders: {set: {...}, remove: [...]}}, {@code removeClientKey},
 * {@code pathPrefix} and {@code path}. Header values are secrets: {@code ${VAR}} references in them are expanded
 * here, an unset variable is an error naming the key, its line and the variable, and no error ever quotes a
 * value.
 */
final class ProviderBinder {
  static final List<String> KEYS = List.of("requestHeaders", "removeClientKey", "pathPrefix", "path");
  static final List<String> HEADER_KEYS = List.of("set", "remove");

  private ProviderBinder() {}

  /** The provider settings of {@code backend} ({@link ProviderConfig#NONE} when none), or {@code null}. */
  static ProviderConfig bind(MappingReader backend) {
    int errorsBefore = backend.problems().count();
    Map<String, String> set = new LinkedHashMap<>();
    List<String> remove = List.of();
    MappingReader headers = backend.mapping("requestHeaders");
    if (headers != null) {
      headers.rejectUnknownKeys(HEADER_KEYS);
      MappingReader setReader = headers.mapping("set");
      if (setReader != null) {
        for (ConfigNode.Entry entry : setReader.node().entries().values()) {
          String value = secret(setReader, entry);
          if (value != null) {
            set.put(entry.key(), value);
          }
        }
      }
      List<String> removed = headers.list("remove", "a header name", s -> s);
      remove = removed == null ? List.of() : removed;
    }
    boolean removeClientKey = backend.bool("removeClientKey", false);
    String pathPrefix = backend.string("pathPrefix", null);
    String path = backend.string("path", null);
    if (backend.problems().count() > errorsBefore) {
      return null;
    }
    List<String> checkedRemove = remove;
    ProviderConfig config = backend.construct(() -> new ProviderConfig(set, checkedRemove, removeClientKey,
        pathPrefix, path));
    return config;
  }

  private static String secret(MappingReader set, ConfigNode.Entry entry) {
    String path = set.childPath(entry.key());
    if (!(entry.value() instanceof ConfigNode.Scalar scalar) || scalar.isNull()) {
      set.problems().add(path, entry.keyLine(), "not a header value (expected: a string)");
      return null;
    }
    try {
      return scalar.type() == ConfigNode.ScalarType.STRING ? set.env().applySecret(scalar.text()) : scalar.text();
    } catch (IllegalArgumentException e) {
      set.problems().add(path, entry.keyLine(), e.getMessage());
      return null;
    }
  }
}
