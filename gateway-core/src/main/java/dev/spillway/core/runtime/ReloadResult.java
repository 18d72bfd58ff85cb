package dev.spillway.core.runtime;

import java.util.List;
import java.util.Locale;

/**
 * What {@link dev.spillway.core.Gateway#reload} did with a new config: applied it as a whole, or nothing at all.
 *
 * @param outcome applied, rejected or restart required
 * @param changes what the applied config changed, e.g. {@code backends.vllm: concurrency changed} (empty unless
 *     applied; one line {@code no changes} when the new config equals the running one)
 * @param problems why it was rejected, each naming its key where one is known (empty unless rejected)
 * @param restartKeys keys whose change needs a restart, e.g. {@code server.port} (empty unless restart required)
 */
public record ReloadResult(Outcome outcome, List<String> changes, List<String> problems, List<String> restartKeys) {

  /** How a reload ended; {@link #label()} is the metric label. */
  public enum Outcome {
    /** The new config runs now. */
    APPLIED,
    /** The new config is invalid or cannot be used; the running one stays. */
    REJECTED,
    /** The new config changes keys that only a restart can apply; the running one stays. */
    RESTART_REQUIRED;

    /** {@code applied}, {@code rejected} or {@code restart_required}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ReloadResult {
    changes = List.copyOf(changes);
    problems = List.copyOf(problems);
    restartKeys = List.copyOf(restartKeys);
  }

  public static ReloadResult applied(List<String> changes) {
    return new ReloadResult(Outcome.APPLIED, changes.isEmpty() ? List.of("no changes") : changes, List.of(),
        List.of());
  }

  public static ReloadResult rejected(List<String> problems) {
    return new ReloadResult(Outcome.REJECTED, List.of(), problems, List.of());
  }

  public static ReloadResult restartRequired(List<String> keys) {
    return new ReloadResult(Outcome.RESTART_REQUIRED, List.of(), List.of(), keys);
  }

  public boolean applied() {
    return outcome == Outcome.APPLIED;
  }

  /** One line for the log. */
  public String summary() {
    return switch (outcome) {
      case APPLIED -> "applied: " + String.join("; ", changes);
      case REJECTED -> "rejected, still running the previous config: " + String.join("; ", problems);
      case RESTART_REQUIRED -> "not applied, needs a restart: " + String.join(", ", restartKeys)
          + " changed (still running the previous config)";
    };
  }
}
