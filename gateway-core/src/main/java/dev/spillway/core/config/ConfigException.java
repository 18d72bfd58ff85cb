package dev.spillway.core.config;

/**
 * An invalid configuration value. Carries the key path of the offending value (for example
 * {@code routes[0].backend}) separately from the detail, so a loader can prefix the path of the enclosing
 * object and point at the line of the source file the value came from.
 *
 * <p>The message reads {@code "<path>: <detail>"}, e.g. {@code maxConnections: -1 (expected: > 0)}.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String detail;

  public ConfigException(String path, String detail) {
    super(path.isEmpty() ? detail : path + ": " + detail);
    this.path = path;
    this.detail = detail;
  }

  /** The key path of the offending value, relative to the object that threw it. */
  public String path() {
    return path;
  }

  /** The message without the path. */
  public String detail() {
    return detail;
  }

  /** The same error seen from the enclosing object, whose key path is {@code parent}. */
  public ConfigException under(String parent) {
    if (parent.isEmpty()) {
      return this;
    }
    String joined = path.isEmpty() ? parent : path.startsWith("[") ? parent + path : parent + "." + path;
    return new ConfigException(joined, detail);
  }
}
