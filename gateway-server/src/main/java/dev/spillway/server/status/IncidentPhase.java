package dev.spillway.server.status;

import java.util.Locale;

/** Where an operator says an incident stands, as they post updates (the words status page tools use). */
public enum IncidentPhase {
  /** The problem is known and being looked into. */
  INVESTIGATING,
  /** The cause is known and a fix is under way. */
  IDENTIFIED,
  /** A fix is in place and being watched. */
  MONITORING,
  /** Over. */
  RESOLVED;

  /** Lower case, as in JSON and the Atom feed. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The phase written {@code text} (any case), or {@code null}. */
  public static IncidentPhase parse(String text) {
    for (IncidentPhase p : values()) {
      if (p.tag().equalsIgnoreCase(text)) {
        return p;
      }
    }
    return null;
  }
}
