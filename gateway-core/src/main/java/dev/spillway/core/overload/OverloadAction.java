package dev.spillway.core.overload;

/** What the gateway does to protect itself while memory is under pressure, mildest first. */
public enum OverloadAction {
  /** Answers close their connection: fewer idle connections, each holding buffers. */
  KEEP_ALIVE_OFF("keep_alive_off"),
  /** Idle and slow clients are closed after {@code server.overload.shortClientTimeout}. */
  SHORTEN_TIMEOUTS("shorten_timeouts"),
  /** New requests get a 503 at once; requests already admitted run on. */
  STOP_ACCEPTING("stop_accepting");

  private final String tag;

  OverloadAction(String tag) {
    this.tag = tag;
  }

  /** Metric tag and JSON name, lower snake case. */
  public String tag() {
    return tag;
  }
}
