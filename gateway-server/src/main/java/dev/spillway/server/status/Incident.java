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

  Incident(long id, long startNanos) {
    this.id = id;
    this.startNanos = startNanos;
    this.lastChangeNanos = startNanos;
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

  boolean allEnded() {
    return conditions.values().stream().allMatch(c -> c.ended);
  }

  String title() {
    Condition first = conditions.values().iterator().next();
    String title = capitalize(first.kind.label()) + " on " + first.component;
    int others = conditions.size() - 1;
    return others == 0 ? title : title + " (+" + others + " related)";
  }

  String summary(long nowNanos) {
    StringBuilder sb = new StringBuilder();
    sb.append(open ? "Ongoing for " : "Resolved after ").append(format(duration(nowNanos))).append(": ");
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
    List<String> components = conditions.values().stream().map(c -> c.component).distinct().toList();
    return new IncidentView(id, title(), summary(nowNanos), open, wall.at(startNanos), open ? null : wall.at(endNanos),
        duration(nowNanos).toSeconds(), components, List.copyOf(events));
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
