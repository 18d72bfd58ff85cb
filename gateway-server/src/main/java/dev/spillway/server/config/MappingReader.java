package dev.spillway.server.config;

import dev.spillway.core.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads the keys of one config object (a YAML mapping) with its key path, reporting every bad value to
 * {@link Problems} and returning the default instead, so binding goes on and later errors are found too.
 * A missing or {@code null} key means "use the default".
 */
final class MappingReader {
  private final ConfigNode.Mapping node;
  private final String path;
  private final int line;
  private final Problems problems;
  private final EnvSubstitution env;

  /**
   * @param path the key path of this object, empty for the root
   * @param line the line to blame for the object as a whole (its key's line), 0 if unknown
   */
  MappingReader(ConfigNode.Mapping node, String path, int line, Problems problems, EnvSubstitution env) {
    this.node = node;
    this.path = path;
    this.line = line;
    this.problems = problems;
    this.env = env;
  }

  Problems problems() {
    return problems;
  }

  /** The key path of this object, empty for the root. */
  String path() {
    return path;
  }

  EnvSubstitution env() {
    return env;
  }

  ConfigNode.Mapping node() {
    return node;
  }

  boolean has(String key) {
    ConfigNode.Entry entry = node.get(key);
    return entry != null && !isNull(entry.value());
  }

  String childPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Reports each key that is not in {@code allowed}, listing the keys that are. */
  void rejectUnknownKeys(List<String> allowed) {
    for (ConfigNode.Entry entry : node.entries().values()) {
      if (!allowed.contains(entry.key())) {
        problems.add(childPath(entry.key()), entry.keyLine(),
            "unknown key (expected one of: " + String.join(", ", allowed) + ")");
      }
    }
  }

  /** Reports {@code key} as missing, at this object's line. */
  void missing(String key, String expected) {
    problems.add(childPath(key), line, "missing (expected: " + expected + ")");
  }

  String string(String key, String defaultValue) {
    return convert(key, "a string", Function.identity(), defaultValue);
  }

  int integer(String key, int defaultValue) {
    return convert(key, "an integer", Scalars::toInt, defaultValue);
  }

  long longInteger(String key, long defaultValue) {
    return convert(key, "an integer", Scalars::toLong, defaultValue);
  }

  double decimal(String key, double defaultValue) {
    return convert(key, "a number", Scalars::toDecimal, defaultValue);
  }

  /** An enum constant written in lower camel case; {@code what} names the kind, e.g. "a priority class". */
  <E extends Enum<E>> E enumValue(String key, Class<E> type, String what, E defaultValue) {
    return convert(key, what, text -> Scalars.toEnum(text, type, what), defaultValue);
  }

  boolean bool(String key, boolean defaultValue) {
    return convert(key, "a boolean", Scalars::toBoolean, defaultValue);
  }

  Duration duration(String key, Duration defaultValue) {
    return convert(key, "a duration", Scalars::toDuration, defaultValue);
  }

  long size(String key, long defaultValue) {
    return convert(key, "a size", Scalars::toSize, defaultValue);
  }

  int intSize(String key, int defaultValue) {
    return convert(key, "a size", Scalars::toIntSize, defaultValue);
  }

  /** The nested object under {@code key}: an empty one if absent, {@code null} (reported) if not a map. */
  MappingReader mapping(String key) {
    ConfigNode.Entry entry = node.get(key);
    if (entry == null || isNull(entry.value())) {
      int keyLine = entry == null ? line : entry.keyLine();
      return new MappingReader(ConfigNode.Mapping.EMPTY, childPath(key), keyLine, problems, env);
    }
    if (!(entry.value() instanceof ConfigNode.Mapping)) {
      problems.add(childPath(key), entry.keyLine(), entry.value().describe() + " is not a map");
      return null;
    }
    return new MappingReader((ConfigNode.Mapping) entry.value(), childPath(key), entry.keyLine(), problems, env);
  }

  /** The list under {@code key}: {@code null} if absent or (reported) not a list. */
  ConfigNode.Sequence sequence(String key) {
    ConfigNode.Entry entry = node.get(key);
    if (entry == null || isNull(entry.value())) {
      return null;
    }
    if (!(entry.value() instanceof ConfigNode.Sequence)) {
      problems.add(childPath(key), entry.keyLine(), entry.value().describe() + " is not a list");
      return null;
    }
    return (ConfigNode.Sequence) entry.value();
  }

  /**
   * The values under {@code key}: each item of a list, or a lone scalar as a list of one (so
   * {@code bandwidths: 20/s} works). Returns an empty list if the key is absent, {@code null} if anything
   * was reported.
   */
  <T> List<T> list(String key, String what, Function<String, T> converter) {
    return list(key, what, converter, false);
  }

  /**
   * Like {@link #list} for secrets such as API keys: only string scalars are accepted (a number would be
   * normalized, changing the key), and no error quotes the text. {@code converter} must not quote it either.
   */
  <T> List<T> secretList(String key, String what, Function<String, T> converter) {
    return list(key, what, converter, true);
  }

  private <T> List<T> list(String key, String what, Function<String, T> converter, boolean secret) {
    ConfigNode.Entry entry = node.get(key);
    if (entry == null || isNull(entry.value())) {
      return List.of();
    }
    if (entry.value() instanceof ConfigNode.Mapping) {
      problems.add(childPath(key), entry.keyLine(), "a map is not a list");
      return null;
    }
    List<ConfigNode> items = entry.value() instanceof ConfigNode.Sequence
        ? ((ConfigNode.Sequence) entry.value()).items() : List.of(entry.value());
    boolean single = !(entry.value() instanceof ConfigNode.Sequence);
    List<T> result = new ArrayList<>(items.size());
    boolean failed = false;
    for (int i = 0; i < items.size(); i++) {
      ConfigNode item = items.get(i);
      String itemPath = single ? childPath(key) : childPath(key) + "[" + i + "]";
      int itemLine = single ? entry.keyLine() : item.line();
      T value = secret ? secret(item, itemPath, itemLine, what, converter)
          : scalar(item, itemPath, itemLine, what, converter);
      failed |= value == null;
      result.add(value);
    }
    return failed ? null : result;
  }

  private <T> T secret(ConfigNode value, String valuePath, int valueLine, String what, Function<String, T> converter) {
    if (!(value instanceof ConfigNode.Scalar) || ((ConfigNode.Scalar) value).type() != ConfigNode.ScalarType.STRING) {
      problems.add(valuePath, valueLine, value.describe() + " is not " + what + " (expected: a string; quote it)");
      return null;
    }
    try {
      return converter.apply(env.applySecret(((ConfigNode.Scalar) value).text()));
    } catch (IllegalArgumentException e) {
      problems.add(valuePath, valueLine, e.getMessage());
      return null;
    }
  }

  /**
   * Converts one scalar node found at {@code path}: substitutes variables, then applies {@code converter}.
   * Returns {@code null} after reporting a container, a bad reference or a value the converter refuses.
   */
  <T> T scalar(ConfigNode value, String valuePath, int valueLine, String what, Function<String, T> converter) {
    if (!(value instanceof ConfigNode.Scalar)) {
      problems.add(valuePath, valueLine, value.describe() + " is not " + what);
      return null;
    }
    ConfigNode.Scalar scalar = (ConfigNode.Scalar) value;
    try {
      String text = scalar.type() == ConfigNode.ScalarType.STRING ? env.apply(scalar.text()) : scalar.text();
      return converter.apply(text);
    } catch (ConfigException e) {
      ConfigException absolute = e.under(valuePath);
      problems.add(absolute.path(), valueLine, absolute.detail());
      return null;
    } catch (IllegalArgumentException e) {
      problems.add(valuePath, valueLine, e.getMessage());
      return null;
    }
  }

  /**
   * Runs a record constructor, reporting its {@link ConfigException} under this object's path at the line of
   * the key it names. Returns {@code null} if it threw.
   */
  <T> T construct(Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (ConfigException e) {
      ConfigException absolute = e.under(path);
      int keyLine = problems.lineOf(absolute.path());
      problems.add(absolute.path(), keyLine > 0 ? keyLine : line, absolute.detail());
      return null;
    }
  }

  private <T> T convert(String key, String what, Function<String, T> converter, T defaultValue) {
    ConfigNode.Entry entry = node.get(key);
    if (entry == null || isNull(entry.value())) {
      return defaultValue;
    }
    T value = scalar(entry.value(), childPath(key), entry.keyLine(), what, converter);
    return value == null ? defaultValue : value;
  }

  private static boolean isNull(ConfigNode value) {
    return value instanceof ConfigNode.Scalar && ((ConfigNode.Scalar) value).isNull();
  }
}
