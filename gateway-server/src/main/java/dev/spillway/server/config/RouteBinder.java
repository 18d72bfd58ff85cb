package dev.spillway.server.config;

import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.StreamConfig;
import java.util.List;

/**
 * Binds one element of {@code routes} to a {@link RouteConfig}. {@code name} is required, and so is a
 * backend: {@code backend}, or a list of failover tiers under {@code backends} (with both, {@code backend} must
 * be the first tier's). The name is not defaulted because it labels the route's metrics and should not shift
 * when routes are reordered. {@code match} defaults to every request ({@code pathPrefix: /}, any host); without
 * {@code admission} the route admits everything; {@code retry} and {@code stream} are bound by
 * {@link RouteResilienceBinder}.
 */
final class RouteBinder {
  static final List<String> KEYS = List.of("name", "match", "backend", "backends", "admission", "retry", "stream");
  static final List<String> MATCH_KEYS = List.of("host", "pathPrefix");

  private RouteBinder() {}

  /** Whether {@code route} names its backends only through a {@code backends} list. */
  static boolean usesTierListOnly(MappingReader route) {
    return route.has("backends") && !route.has("backend");
  }

  /** Returns the bound config, or {@code null} if any error was reported. */
  static RouteConfig bind(MappingReader route) {
    int errorsBefore = route.problems().count();
    route.rejectUnknownKeys(KEYS);
    String name = required(route, "name", "a unique route name, used in logs and metrics");
    List<FailoverTierConfig> tiers = route.has("backends") ? RouteResilienceBinder.tiers(route) : null;
    String backend;
    if (usesTierListOnly(route)) {
      backend = tiers == null || tiers.isEmpty() ? null : tiers.get(0).backend();
    } else {
      backend = required(route, "backend", "the name of a backend under backends");
    }
    MappingReader matchReader = route.mapping("match");
    RouteMatch match = matchReader == null ? null : match(matchReader);
    MappingReader admissionReader = route.has("admission") ? route.mapping("admission") : null;
    AdmissionConfig admission = admissionReader == null ? null : AdmissionBinder.bind(admissionReader);
    MappingReader retryReader = route.mapping("retry");
    RetryConfig retry = retryReader == null ? null : RouteResilienceBinder.retry(retryReader);
    MappingReader streamReader = route.mapping("stream");
    StreamConfig stream = streamReader == null ? null : RouteResilienceBinder.stream(streamReader);
    // Parts that failed (already reported) get valid stand-ins, so the constructor still checks the rest.
    String checkedBackend = backend == null ? "stand-in" : backend;
    RouteConfig config = route.construct(() -> new RouteConfig(name == null ? "stand-in" : name,
        match == null ? new RouteMatch(null, RouteMatch.DEFAULT_PATH_PREFIX) : match, checkedBackend, admission,
        tiers, retry == null ? RetryConfig.DEFAULTS : retry, stream == null ? StreamConfig.DEFAULTS : stream));
    return route.problems().count() > errorsBefore ? null : config;
  }

  private static String required(MappingReader route, String key, String expected) {
    if (!route.has(key)) {
      route.missing(key, expected);
      return null;
    }
    return route.string(key, null);
  }

  private static RouteMatch match(MappingReader match) {
    int errorsBefore = match.problems().count();
    match.rejectUnknownKeys(MATCH_KEYS);
    String host = match.string("host", null);
    String pathPrefix = match.string("pathPrefix", RouteMatch.DEFAULT_PATH_PREFIX);
    RouteMatch config = match.construct(() -> new RouteMatch(host, pathPrefix));
    return match.problems().count() > errorsBefore ? null : config;
  }
}
