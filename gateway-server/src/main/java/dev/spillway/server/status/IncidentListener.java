package dev.spillway.server.status;

/**
 * Told when an incident opens, when an operator posts an update to one, and when it resolves (alerts): the
 * tracker's own incidents and operators' alike. Called on the monitor thread, or under the monitor's lock for
 * an operator's post: must not block.
 */
public interface IncidentListener {
  IncidentListener NONE = new IncidentListener() {
    @Override
    public void opened(IncidentView incident) {}

    @Override
    public void updated(IncidentView incident) {}

    @Override
    public void resolved(IncidentView incident) {}
  };

  /** A new incident, automatic or opened by an operator (then with their first update). */
  void opened(IncidentView incident);

  /**
   * An operator posted an update that leaves the incident open (the newest of {@link IncidentView#updates});
   * on an automatic incident, any phase, resolved included, is an update: its conditions decide when it ends.
   */
  void updated(IncidentView incident);

  /** The incident is over: its conditions ended, or an operator resolved the incident they opened. */
  void resolved(IncidentView incident);
}
