package dev.spillway.server.status;

import java.time.Instant;
import java.util.List;

/**
 * Everything the status endpoints serve, computed once a second on the monitor thread.
 *
 * @param at when it was computed
 * @param notReadyReason why the gateway is not ready, or {@code null} when it is
 * @param overall the worst state of any component
 * @param components each route, then each backend
 * @param incidents newest first
 * @param series the whole gateway's last seconds, for the charts
 */
public record StatusSnapshot(Instant at, String notReadyReason, ComponentState overall,
    List<ComponentStatus> components, List<IncidentView> incidents, Series series) {

  public boolean ready() {
    return notReadyReason == null;
  }
}
