package dev.spillway.server.status;

import java.util.Objects;

/**
 * A change reported by upstream resilience (circuit breakers, outlier ejection, failover) or by an operator's
 * incident control: {@link EndpointEventBridge} and the overrides API hand it to
 * {@link StatusTracker#onResilienceEvent}, from any thread. An opening event starts a condition that lasts
 * until its matching closing event for the same component.
 *
 * @param type what happened
 * @param component the breaker's or endpoint's name ({@code backend primary, http://10.0.0.11:8000})
 * @param detail why, for the timeline (may be empty)
 */
public record ResilienceEvent(Type type, String component, String detail) {

  public ResilienceEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(component, "component");
    detail = detail == null ? "" : detail;
  }

  /** Opening and closing changes, paired by {@link #kind()}. */
  public enum Type {
    BREAKER_OPENED(Signal.Kind.BREAKER_OPEN, true),
    BREAKER_CLOSED(Signal.Kind.BREAKER_OPEN, false),
    ENDPOINT_EJECTED(Signal.Kind.ENDPOINT_EJECTED, true),
    ENDPOINT_RESTORED(Signal.Kind.ENDPOINT_EJECTED, false),
    FAILOVER_ENGAGED(Signal.Kind.FAILOVER, true),
    FAILOVER_RELEASED(Signal.Kind.FAILOVER, false),
    OVERRIDE_APPLIED(Signal.Kind.OPERATOR_OVERRIDE, true),
    OVERRIDE_REMOVED(Signal.Kind.OPERATOR_OVERRIDE, false);

    private final Signal.Kind kind;
    private final boolean opens;

    Type(Signal.Kind kind, boolean opens) {
      this.kind = kind;
      this.opens = opens;
    }

    public Signal.Kind kind() {
      return kind;
    }

    public boolean opens() {
      return opens;
    }
  }

  /** The condition key this event opens or closes. */
  String key() {
    return type.kind().name().toLowerCase(java.util.Locale.ROOT) + ":" + component;
  }
}
