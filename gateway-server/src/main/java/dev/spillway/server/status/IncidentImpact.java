package dev.spillway.server.status;

import java.util.Locale;

/**
 * How badly an incident affects users, in the four words status page tools use. An operator sets it on the
 * incidents they open; an automatic incident is {@link #MAJOR} when it includes an outage or lost readiness and
 * {@link #MINOR} otherwise.
 */
public enum IncidentImpact {
  NONE,
  MINOR,
  MAJOR,
  CRITICAL;

  /** Lower case, as in JSON. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The impact written {@code text} (any case), or {@code null}. */
  public static IncidentImpact parse(String text) {
    for (IncidentImpact i : values()) {
      if (i.tag().equalsIgnoreCase(text)) {
        return i;
      }
    }
    return null;
  }
}
