package dev.spillway.server.reload;

import dev.spillway.core.runtime.ReloadResult;
import dev.spillway.server.config.ConfigError;
import java.util.List;

/**
 * One reload attempt, as {@code POST /config/reload}, {@code /config} and the log report it.
 *
 * @param at when it ran (ISO-8601 UTC)
 * @param trigger what asked for it: {@code admin}, {@code SIGHUP} or {@code file}
 * @param result {@code applied}, {@code rejected} or {@code restart_required}
 * @param sha256 the hash of the config file and its {@code keysFile} as read (empty when unreadable)
 * @param changes what an applied reload changed
 * @param errors why a reload was rejected, each with its key and line where known
 * @param restartKeys the keys that changed but need a restart
 */
public record ReloadAttempt(String at, String trigger, String result, String sha256, List<String> changes,
    List<Problem> errors, List<String> restartKeys) {

  public ReloadAttempt {
    changes = List.copyOf(changes);
    errors = List.copyOf(errors);
    restartKeys = List.copyOf(restartKeys);
  }

  /** One error: {@code key} (empty for the file as a whole), {@code line} (0 when unknown), {@code message}. */
  public record Problem(String key, int line, String message) {
    static Problem of(ConfigError e) {
      return new Problem(e.path(), e.line(), e.message());
    }
  }

  public boolean applied() {
    return result.equals(ReloadResult.Outcome.APPLIED.label());
  }

  /** One line for the log. */
  public String summary() {
    return switch (result) {
      case "applied" -> "applied (" + trigger + "): " + String.join("; ", changes);
      case "restart_required" -> "not applied (" + trigger + "), needs a restart: " + String.join(", ", restartKeys)
          + " changed; still running the previous config";
      default -> "rejected (" + trigger + "), still running the previous config: " + String.join("; ",
          errors.stream().map(p -> (p.key().isEmpty() ? "" : p.key() + ": ") + p.message()
              + (p.line() > 0 ? " (line " + p.line() + ")" : "")).toList());
    };
  }
}
