package dev.spillway.server.status;

import java.time.Instant;
import java.util.List;

/**
 * An incident as the admin API, the status page and alerts show it. Immutable.
 *
 * @param id increasing number, unique in this process
 * @param title what the incident is about ("Shedding on route chat")
 * @param summary one line for humans, with its numbers
 * @param open whether it is still going on
 * @param startedAt when its first condition started
 * @param endedAt when its last condition ended, or {@code null} while open
 * @param durationSeconds from start to end (or to now while open)
 * @param components what it concerns ({@code route chat}, {@code backend primary})
 * @param events its timeline, oldest first
 * @param manual whether an operator opened it (through the admin API) rather than the tracker
 * @param impact how badly it affects users
 * @param phase where the operator's latest update says it stands, or {@code null} before any update
 * @param updates what operators posted, oldest first
 */
public record IncidentView(long id, String title, String summary, boolean open, Instant startedAt, Instant endedAt,
    long durationSeconds, List<String> components, List<Event> events, boolean manual, IncidentImpact impact,
    IncidentPhase phase, List<Update> updates) {

  /** An automatic incident without operator updates. */
  public IncidentView(long id, String title, String summary, boolean open, Instant startedAt, Instant endedAt,
      long durationSeconds, List<String> components, List<Event> events) {
    this(id, title, summary, open, startedAt, endedAt, durationSeconds, components, events, false,
        IncidentImpact.MINOR, null, List.of());
  }

  /** One change within an incident. */
  public record Event(Instant at, String text) {}

  /** What an operator posted: the phase and, in their words, what is going on. */
  public record Update(Instant at, IncidentPhase phase, String text) {}
}
