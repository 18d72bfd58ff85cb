package dev.spillway.core.incident;

import java.time.Instant;
import java.util.Map;

/**
 * One incident control in force, as the status page, {@code /config} and the audit log show it.
 *
 * @param kind what it overrides
 * @param target the backend, {@code priority:<class>} / {@code tier:<name>}, route, or endpoint address
 * @param settings its values, in display order ({@code pin: 8}, {@code percent: 50}, {@code message: ...})
 * @param since when it was applied (last changed)
 * @param by who applied it: the admin token's identity or the client address
 */
public record ActiveOverride(Kind kind, String target, Map<String, Object> settings, Instant since, String by) {

  public ActiveOverride {
    settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
  }

  /** The four controls. */
  public enum Kind {
    BACKEND_CONCURRENCY("backend_concurrency"),
    SHED("shed"),
    MAINTENANCE("maintenance"),
    ENDPOINT_DRAIN("endpoint_drain");

    private final String tag;

    Kind(String tag) {
      this.tag = tag;
    }

    /** Lower snake case, for JSON and logs. */
    public String tag() {
      return tag;
    }
  }

  /** {@code kind target} for logs and incident lines. */
  public String describe() {
    return kind.tag() + " " + target + " " + settings;
  }
}
