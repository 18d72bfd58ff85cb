package dev.spillway.server.status;

/**
 * One problem condition seen during the current tick: the input of the {@link IncidentTracker}.
 *
 * @param key identifies the condition across ticks ({@code shedding:route:chat})
 * @param kind what sort of problem it is
 * @param component the route, backend or endpoint it concerns ({@code route chat})
 * @param detail the state's reason, for the timeline
 * @param shedThisSecond requests shed in the second just closed (shedding only, else 0)
 */
public record Signal(String key, Kind kind, String component, String detail, long shedThisSecond) {

  /** What went wrong; each kind opens its own line in an incident. */
  public enum Kind {
    SHEDDING("shedding"),
    OUTAGE("outage"),
    NOT_READY("readiness lost"),
    BREAKER_OPEN("circuit breaker open"),
    ENDPOINT_EJECTED("endpoint ejected"),
    FAILOVER("failover engaged"),
    OPERATOR_OVERRIDE("operator override");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
