package dev.spillway.server.status;

/** Told when an incident opens and when it resolves (alerts). Called on the monitor thread: must not block. */
public interface IncidentListener {
  IncidentListener NONE = new IncidentListener() {
    @Override
    public void opened(IncidentView incident) {}

    @Override
    public void resolved(IncidentView incident) {}
  };

  void opened(IncidentView incident);

  void resolved(IncidentView incident);
}
