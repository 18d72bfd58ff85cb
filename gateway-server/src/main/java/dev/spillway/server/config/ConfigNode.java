package dev.spillway.server.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed config value that remembers the source line it started on. Jackson's {@code JsonNode} drops
 * locations, and every error message the loader prints needs one.
 */
sealed interface ConfigNode permits ConfigNode.Scalar, ConfigNode.Mapping, ConfigNode.Sequence {

  /** The 1-based line the value starts on, or 0 for a value that is not in the file. */
  int line();

  /** How the value reads in an error message: "a map", "a list", "a string". */
  String describe();

  /** What kind of token a scalar was; booleans and numbers are kept as text until a binder asks. */
  enum ScalarType { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }

  /** A string, number, boolean or null, as its source text. */
  record Scalar(ScalarType type, String text, int line) implements ConfigNode {
    boolean isNull() {
      return type == ScalarType.NULL;
    }

    @Override
    public String describe() {
      switch (type) {
        case STRING: return "a string";
        case NULL: return "null";
        case BOOLEAN: return "a boolean";
        default: return "a number";
      }
    }
  }

  /** One key of a mapping; the key's own line is where errors about the whole value point. */
  record Entry(String key, int keyLine, ConfigNode value) {}

  /** A map with string keys, in file order. */
  record Mapping(Map<String, Entry> entries, int line) implements ConfigNode {
    static final Mapping EMPTY = new Mapping(Map.of(), 0);

    public Mapping {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The entry for {@code key}, or {@code null} if the key is absent. */
    Entry get(String key) {
      return entries.get(key);
    }

    @Override
    public String describe() {
      return "a map";
    }
  }

  /** A list. */
  record Sequence(List<ConfigNode> items, int line) implements ConfigNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }
}
