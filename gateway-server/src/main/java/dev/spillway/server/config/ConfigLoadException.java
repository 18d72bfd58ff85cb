package dev.spillway.server.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A config file could not be turned into a {@link dev.spillway.core.config.GatewayConfig}. Carries every
 * problem the loader found, not only the first, so an operator can fix them in one pass.
 *
 * <p>The message names the source and then lists the errors, one per line:
 * <pre>
 * invalid config spillway.yaml (2 errors):
 *   server.port: "abc" is not an integer (line 3)
 *   routes[0].backend: "primry" is not a defined backend (defined: primary) (line 14)
 * </pre>
 */
public final class ConfigLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sourceName;
  private final List<ConfigError> errors;

  public ConfigLoadException(String sourceName, List<ConfigError> errors) {
    super(message(requireNonNull(sourceName, "sourceName"), requireNonNull(errors, "errors")));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("errors: [] (expected: at least one error)");
    }
    this.sourceName = sourceName;
    this.errors = List.copyOf(errors);
  }

  /** The file name (or other label) the config was read from. */
  public String sourceName() {
    return sourceName;
  }

  /** Every error found, in source order; never empty. */
  public List<ConfigError> errors() {
    return errors;
  }

  private static String message(String sourceName, List<ConfigError> errors) {
    StringBuilder sb = new StringBuilder("invalid config ").append(sourceName)
        .append(" (").append(errors.size()).append(errors.size() == 1 ? " error):" : " errors):");
    for (ConfigError error : errors) {
      sb.append("\n  ").append(error.format());
    }
    return sb.toString();
  }
}
