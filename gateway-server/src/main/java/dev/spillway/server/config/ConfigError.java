package dev.spillway.server.config;

import static java.util.Objects.requireNonNull;

/**
 * One problem found in a config file, for example
 * {@code routes[0].backend: "primry" is not a defined backend (defined: primary) (line 14)}.
 *
 * @param path the key path of the offending value, such as {@code backends.primary.endpoints[1]}; empty for a
 *     problem with the file as a whole (a syntax error, an unreadable file)
 * @param line the 1-based source line, or 0 when no single line is to blame (a missing top-level key)
 * @param message what is wrong, in the house format {@code value (expected: ...)}
 */
public record ConfigError(String path, int line, String message) {
  public ConfigError {
    requireNonNull(path, "path");
    requireNonNull(message, "message");
    if (line < 0) {
      throw new IllegalArgumentException("line: " + line + " (expected: >= 0)");
    }
  }

  /** The error as an operator reads it: {@code path: message (line N)}, leaving out what is unknown. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    sb.append(message);
    if (line > 0) {
      sb.append(" (line ").append(line).append(')');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
