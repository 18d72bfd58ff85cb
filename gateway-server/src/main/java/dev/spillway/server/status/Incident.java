package dev.spillway.server.status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An incident while the tracker works on it: its conditions and timeline. Monitor thread only. */
final class Incident {
  private static final int MAX_EVENTS = 50;

  final long id;
  final long startNanos;
  long lastChangeNanos;
  long endNanos;
  boolean open = true;
  final Map<String, Condition> conditions = new LinkedHashMap<>();
  private final List<long[]> eventTimes = new ArrayList<>();
  private final List<String> eventTexts = new ArrayList<>();
  private int droppedEvents;
  /** Set for an incident an operator opened; its title, components and impact are theirs. */
  private final Manual manual;
  private final List<long[]> updateTimes = new ArrayList<>();
  private final List<IncidentPhase> updatePhases = new ArrayList<>();
  private final List<String> updateTexts = new ArrayList<>();

  Incident(long id, long startNanos) {
    this(id, startNanos, null);
  }

  Incident(long id, long startNanos, Manual manual) {
    this.id = id;
    this.startNanos = startNanos;
    this.lastChangeNanos = startNanos;
    this.manual = manual;
  }

  /** What an operator gave when opening an incident by hand. */
  record Manual(String title, List<String> components, IncidentImpact impact) {}

  boolean manual() {
    return manual != null;
  }

  /** Records an operator's update; at most {@value #MAX_EVENTS} are kept (the oldest stay: they tell the story). */
  void update(long nanos, IncidentPhase phase, String text) {
    if (updateTexts.size() >= MAX_EVENTS) {
      updateTimes.remove(1);
      updatePhases.remove(1);
      updateTexts.remove(1);
    }
    updateTimes.add(new long[] {nanos});
    updatePhases.add(phase);
    updateTexts.add(text);
  }

  /** The latest operator phase, or {@code null}. */
  IncidentPhase phase() {
    return updatePhases.isEmpty() ? null : updatePhases.get(updatePhases.size() - 1);
  }

  void event(long nanos, String text) {
    lastChangeNanos = nanos;
    if (eventTexts.size() >= MAX_EVENTS) {
      droppedEvents++;
      return;
    }
    eventTimes.add(new long[] {nanos});
    eventTexts.add(text);
  }

  private IncidentImpact impact() {
    if (manual != null) {
      return manual.impact();
    }
    boolean severe = conditions.values().stream()
        .anyMatch(c -> c.kind == Signal.Kind.OUTAGE || c.kind == Signal.Kind.NOT_READY);
    return severe ? IncidentImpact.MAJOR : IncidentImpact.MINOR;
  }

  boolean allEnded() {
    return conditions.values().stream().allMatch(c -> c.ended);
  }

  String title() {
    if (manual != null) {
      return manual.title();
    }
    Condition first = conditions.values().iterator().next();
    String title = capitalize(first.kind.label()) + " on " + first.component;
    int others = conditions.size() - 1;
    return others == 0 ? title : title + " (+" + others + " related)";
  }

  String summary(long nowNanos) {
    StringBuilder sb = new StringBuilder();
    sb.append(open ? "Ongoing for " : "Resolved after ").append(format(duration(nowNanos)));
    if (manual != null) {
      IncidentPhase phase = phase();
      return sb.append(", opened by an operator").append(phase == null ? "" : ", " + phase.tag()).toString();
    }
    sb.append(": ");
    boolean first = true;
    for (Condition c : conditions.values()) {
      if (!first) {
        sb.append("; ");
      }
      first = false;
      sb.append(c.describe());
    }
    return sb.toString();
  }

  Duration duration(long nowNanos) {
    return Duration.ofNanos((open ? nowNanos : endNanos) - startNanos);
  }

  IncidentView view(WallClock wall, long nowNanos) {
    List<IncidentView.Event> events = new ArrayList<>(eventTexts.size() + 1);
    for (int i = 0; i < eventTexts.size(); i++) {
      events.add(new IncidentView.Event(wall.at(eventTimes.get(i)[0]), eventTexts.get(i)));
    }
    if (droppedEvents > 0) {
      events.add(new IncidentView.Event(wall.at(lastChangeNanos), droppedEvents + " more changes not kept"));
    }
    List<String> components = manual != null ? manual.components()
        : conditions.values().stream().map(c -> c.component).distinct().toList();
    List<IncidentView.Update> updates = new ArrayList<>(updateTexts.size());
    for (int i = 0; i < updateTexts.size(); i++) {
      updates.add(new IncidentView.Update(wall.at(updateTimes.get(i)[0]), updatePhases.get(i), updateTexts.get(i)));
    }
    return new IncidentView(id, title(), summary(nowNanos), open, wall.at(startNanos), open ? null : wall.at(endNanos),
        duration(nowNanos).toSeconds(), components, List.copyOf(events), manual != null, impact(), phase(),
        List.copyOf(updates));
  }

  static String format(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + String.format("%02ds", s % 60);
    }
    return (s / 3600) + "h " + String.format("%02dm", (s % 3600) / 60);
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** One problem within the incident, from its first signal to its end. */
  static final class Condition {
    final Signal.Kind kind;
    final String component;
    final long startNanos;
    String detail;
    long lastSeenNanos;
    long shed;
    long peakShedPerSecond;
    boolean ended;

    Condition(Signal signal, long nowNanos) {
      this.kind = signal.kind();
      this.component = signal.component();
      this.startNanos = nowNanos;
      see(signal, nowNanos);
    }

    void see(Signal signal, long nowNanos) {
      detail = signal.detail();
      lastSeenNanos = nowNanos;
      shed += signal.shedThisSecond();
      peakShedPerSecond = Math.max(peakShedPerSecond, signal.shedThisSecond());
      ended = false;
    }

    String describe() {
      String text = kind.label() + " on " + component;
      if (kind == Signal.Kind.SHEDDING) {
        return text + ", " + shed + " requests shed, peak " + peakShedPerSecond + "/s";
      }
      return detail.isEmpty() ? text : text + " (" + detail + ")";
    }
  }
}
