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
 */
public record IncidentView(long id, String title, String summary, boolean open, Instant startedAt, Instant endedAt,
    long durationSeconds, List<String> components, List<Event> events) {

  /** One change within an incident. */
  public record Event(Instant at, String text) {}
}
