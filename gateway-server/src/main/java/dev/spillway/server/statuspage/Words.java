package dev.spillway.server.statuspage;

import dev.spillway.server.status.IncidentImpact;
import java.util.List;
import java.util.Locale;

/** The status page APIs' vocabulary: component statuses, the overall indicator, and their plain words. */
final class Words {
  static final String OPERATIONAL = "operational";
  static final String UNDER_MAINTENANCE = "under_maintenance";
  static final String DEGRADED = "degraded_performance";
  static final String PARTIAL_OUTAGE = "partial_outage";
  static final String MAJOR_OUTAGE = "major_outage";
  /**
   * From best to worst. Maintenance ranks just above operational: it is announced and intended, and any real
   * trouble on the same component is worth more to tell.
   */
  private static final List<String> STATUSES = List.of(OPERATIONAL, UNDER_MAINTENANCE, DEGRADED, PARTIAL_OUTAGE,
      MAJOR_OUTAGE);
  /** The indicator of each status, in the same order; an incident's impact is one of them by name. */
  private static final List<String> INDICATORS = List.of("none", "maintenance", "minor", "major", "critical");

  private Words() {}

  static String worse(String a, String b) {
    return STATUSES.indexOf(b) > STATUSES.indexOf(a) ? b : a;
  }

  /** The component status an operator's incident of this impact implies. */
  static String statusOf(IncidentImpact impact) {
    return switch (impact) {
      case NONE -> OPERATIONAL;
      case MINOR -> DEGRADED;
      case MAJOR -> PARTIAL_OUTAGE;
      case CRITICAL -> MAJOR_OUTAGE;
    };
  }

  /**
   * The overall indicator: the worst of the components' statuses and the unresolved incidents' impacts;
   * {@code maintenance} (as Statuspage says it) when the worst is a component under maintenance.
   */
  static String indicator(List<PublicModel.Component> components, List<PublicModel.PublicIncident> incidents) {
    int worst = 0;
    for (PublicModel.Component c : components) {
      worst = Math.max(worst, STATUSES.indexOf(c.status()));
    }
    for (PublicModel.PublicIncident i : incidents) {
      if (!i.status().equals("resolved")) {
        worst = Math.max(worst, INDICATORS.indexOf(i.impact()));
      }
    }
    return INDICATORS.get(worst);
  }

  static String describe(String indicator) {
    return switch (indicator) {
      case "none" -> "All Systems Operational";
      case "maintenance" -> "Service Under Maintenance";
      case "minor" -> "Minor Service Outage";
      case "major" -> "Partial System Outage";
      default -> "Major Service Outage";
    };
  }

  /** "Degraded performance" for {@code degraded_performance}. */
  static String plain(String status) {
    String s = status.replace('_', ' ');
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** A stable id from a name: lower-case letters and digits joined by dashes, or {@code component-N}. */
  static String slug(String name, int index) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    return s.isEmpty() ? "component-" + (index + 1) : s;
  }
}
