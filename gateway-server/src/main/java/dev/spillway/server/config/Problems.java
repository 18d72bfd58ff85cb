package dev.spillway.server.config;

import dev.spillway.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the errors of one load, so binding can carry on past a bad value and report everything at once.
 * Knows the parsed tree, so an error thrown by a record constructor (which only knows key paths) can be
 * pointed at a source line.
 */
final class Problems {
  private final List<ConfigError> errors = new ArrayList<>();
  private final List<Child> children = new ArrayList<>();
  private ConfigNode root = ConfigNode.Mapping.EMPTY;

  /** The problems of another file this one refers to; their paths are prefixed with that file's label. */
  private record Child(String label, Problems problems) {}

  void root(ConfigNode root) {
    this.root = root;
  }

  void add(String path, int line, String message) {
    errors.add(new ConfigError(path, line, message));
  }

  /**
   * Adds an error whose path is already absolute, at the line of the value that path names. If the path
   * names something absent from the file (a default that failed a cross-check), the nearest enclosing value
   * that is present takes the blame.
   */
  void add(ConfigException e) {
    add(e.path(), lineOf(e.path()), e.detail());
  }

  /**
   * Starts collecting the errors of another file, such as {@code keysFile}. They count as this load's errors
   * and are listed after this file's, each path prefixed with {@code label} (the file name as the config
   * wrote it): {@code tenants.yaml[2].keys[0]: ... (line 5)}, the line being in that file.
   */
  Problems child(String label) {
    Problems child = new Problems();
    children.add(new Child(label, child));
    return child;
  }

  int count() {
    int count = errors.size();
    for (Child child : children) {
      count += child.problems().count();
    }
    return count;
  }

  /**
   * The errors in source order; errors with no line (about the file as a whole) come last, then the errors
   * of each other file in turn.
   */
  List<ConfigError> sorted() {
    List<ConfigError> copy = new ArrayList<>(errors);
    copy.sort(Comparator.comparingInt((ConfigError e) -> e.line() == 0 ? Integer.MAX_VALUE : e.line()));
    for (Child child : children) {
      for (ConfigError e : child.problems().sorted()) {
        String path = e.path().isEmpty() || e.path().startsWith("[") ? e.path() : "." + e.path();
        copy.add(new ConfigError(child.label() + path, e.line(), e.message()));
      }
    }
    return copy;
  }

  /**
   * The line of the value at {@code path}, or of the deepest value on the way there that exists. A key's
   * line is used for map entries because it is where an operator looks, even when the value is a nested
   * block starting on the next line.
   */
  int lineOf(String path) {
    ConfigNode node = root;
    int line = 0;
    String rest = path;
    while (!rest.isEmpty()) {
      if (rest.charAt(0) == '.') {
        rest = rest.substring(1);
      }
      if (node instanceof ConfigNode.Sequence && rest.startsWith("[")) {
        int close = rest.indexOf(']');
        int index = parseIndex(rest.substring(1, Math.max(close, 1)));
        List<ConfigNode> items = ((ConfigNode.Sequence) node).items();
        if (close < 0 || index < 0 || index >= items.size()) {
          return line;
        }
        node = items.get(index);
        line = node.line();
        rest = rest.substring(close + 1);
      } else if (node instanceof ConfigNode.Mapping) {
        ConfigNode.Entry entry = longestKeyPrefix((ConfigNode.Mapping) node, rest);
        if (entry == null) {
          return line;
        }
        node = entry.value();
        line = entry.keyLine();
        rest = rest.substring(entry.key().length());
      } else {
        return line;
      }
    }
    return line;
  }

  // Backend names may contain dots ("gpt-4.1"), so a path cannot simply be split on '.'.
  private static ConfigNode.Entry longestKeyPrefix(ConfigNode.Mapping mapping, String rest) {
    ConfigNode.Entry best = null;
    for (ConfigNode.Entry entry : mapping.entries().values()) {
      String key = entry.key();
      if (!rest.startsWith(key)) {
        continue;
      }
      boolean boundary = rest.length() == key.length() || rest.charAt(key.length()) == '.'
          || rest.charAt(key.length()) == '[';
      if (boundary && (best == null || key.length() > best.key().length())) {
        best = entry;
      }
    }
    return best;
  }

  private static int parseIndex(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
