package dev.spillway.server.status;

/** The state of a route or backend as the status page shows it, from best to worst. */
public enum ComponentState {
  /** Serving normally. */
  OPERATIONAL("operational"),
  /** Serving, but a noticeable share of requests fail. */
  DEGRADED("degraded"),
  /** Serving at full capacity and shedding the excess (the waiting room is full or requests time out in it). */
  AT_CAPACITY("at_capacity"),
  /** Most requests fail, or nothing can be reached. */
  OUTAGE("outage");

  private final String tag;

  ComponentState(String tag) {
    this.tag = tag;
  }

  /** JSON and metric tag, lower snake case. */
  public String tag() {
    return tag;
  }

  /** 0 for operational up to 3 for outage: the value of the state gauge. */
  public int severity() {
    return ordinal();
  }
}
