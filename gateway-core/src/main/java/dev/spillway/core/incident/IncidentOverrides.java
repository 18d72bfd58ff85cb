package dev.spillway.core.incident;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.reject.RejectionShape;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.resilience.EndpointState;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The incident controls an operator applies at run time, kept until removed or the process ends (one instance
 * per process, never rebuilt by a reload: everything is keyed by name, so it outlives any routing snapshot):
 * <ul>
 *   <li>a backend's concurrency limit pinned, or capped ({@link LimitOverride}), pushed onto its
 *       {@link dev.spillway.core.admission.concurrency.BackendAdmission};
 *   <li>a percentage of a priority class or of a tenant tier shed at the door ({@link ShedReason#OPERATOR});
 *   <li>a route in maintenance: every request answered 503 with the operator's text
 *       ({@link ShedReason#MAINTENANCE});
 *   <li>an endpoint ({@code host:port}, in every backend that has it) drained: picked for no new request.
 * </ul>
 * Writers (the admin API) are serialized; the request path reads volatile immutable maps without locks. A
 * request asks {@link #turnAway} only while {@link #atTheDoor()} says some door control is in force.
 *
 * <p>When one request falls under both a class and a tier rule, the larger percentage applies (one draw).
 */
public final class IncidentOverrides {
  private static final PriorityClass[] CLASSES = PriorityClass.values();

  private final Clock clock;
  private final RandomGenerator random;
  private Supplier<Router> router = () -> new Router(List.of());
  private Supplier<GatewayConfig> config = () -> null;

  private volatile Map<String, ActiveOverride> entries = Map.of();
  private volatile Map<String, LimitOverride> backendLimits = Map.of();
  /** Percent shed per priority class (index: ordinal), 0 for none. */
  private volatile int[] shedByClass = new int[CLASSES.length];
  private volatile Map<String, Integer> shedByTier = Map.of();
  private volatile Map<String, MaintenanceAnswer> maintenance = Map.of();
  private volatile Map<String, Boolean> drained = Map.of();
  private volatile boolean atTheDoor;

  /** The system clock for "since", thread-local randomness for shedding. */
  public IncidentOverrides() {
    this(Clock.systemUTC(), threadLocalRandom());
  }

  /**
   * @param clock only for the time each control was applied (shown to people)
   * @param random decides which requests a percentage rule sheds; tests pass a seeded one
   */
  public IncidentOverrides(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  /**
   * Follows the live routing and config (names are checked against them) and applies what is in force to the
   * routing's backends and endpoints. The gateway calls it once at start.
   */
  public synchronized void attach(Supplier<Router> liveRouter, Supplier<GatewayConfig> liveConfig) {
    this.router = liveRouter;
    this.config = liveConfig;
    reapply(liveRouter.get());
  }

  /**
   * Pushes the backend limits and endpoint drains in force onto {@code next}'s backends and endpoints: a
   * reload that builds new ones calls it before they take traffic.
   */
  public synchronized void reapply(Router next) {
    for (Backend b : backends(next).values()) {
      if (b.admission() != null) {
        b.admission().override(backendLimits.getOrDefault(b.name(), LimitOverride.NONE));
      }
      for (EndpointState s : b.endpointGroup().states()) {
        s.setDrained(drained.containsKey(address(s)));
      }
    }
  }

  // ---- the request path ----

  /** Whether any shedding or maintenance is in force (requests skip {@link #turnAway} otherwise). */
  public boolean atTheDoor() {
    return atTheDoor;
  }

  /**
   * Whether the operator turns this request away: {@link ShedReason#MAINTENANCE} when its route is in
   * maintenance, {@link ShedReason#OPERATOR} when a percentage rule draws it, else {@code null}.
   */
  public ShedReason turnAway(String route, Tenant tenant) {
    if (maintenance.containsKey(route)) {
      return ShedReason.MAINTENANCE;
    }
    int percent = shedByClass[tenant.priority().ordinal()];
    Integer tier = shedByTier.get(tenant.tier().name());
    if (tier != null && tier > percent) {
      percent = tier;
    }
    return percent > 0 && random.nextInt(100) < percent ? ShedReason.OPERATOR : null;
  }

  /** The maintenance answer of {@code route}, or {@code null} when it is not (or no longer) in maintenance. */
  public FullHttpResponse maintenanceAnswer(String route, RejectionShape shape, HttpVersion version,
      String requestId, boolean close) {
    MaintenanceAnswer answer = maintenance.get(route);
    return answer == null ? null : answer.build(shape, version, requestId, close);
  }

  // ---- the controls ----

  /** Pins or caps {@code backend}'s concurrency limit. */
  public synchronized ActiveOverride setBackendLimit(String backend, LimitOverride limit, String by) {
    Backend b = backend(backend);
    if (b.admission() == null) {
      throw new OverrideException(OverrideException.Problem.CONFLICT, "backend",
          "backend " + backend + " has no concurrency limit (no concurrency settings)");
    }
    if (limit.mode() == LimitOverride.Mode.NONE) {
      throw OverrideException.invalid("pin", "missing (expected: \"pin\" or \"max\", >= 1)");
    }
    backendLimits = with(backendLimits, backend, limit);
    b.admission().override(limit);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put(limit.mode() == LimitOverride.Mode.PIN ? "pin" : "max", limit.value());
    return put(ActiveOverride.Kind.BACKEND_CONCURRENCY, backend, settings, by);
  }

  /** Gives {@code backend}'s limit back to its own control, from the value that limit has now. */
  public synchronized Optional<ActiveOverride> clearBackendLimit(String backend) {
    Backend b = backend(backend);
    backendLimits = without(backendLimits, backend);
    if (b.admission() != null) {
      b.admission().override(LimitOverride.NONE);
    }
    return remove(ActiveOverride.Kind.BACKEND_CONCURRENCY, backend);
  }

  /** Sheds {@code percent} (1..100) of a priority class ({@code priority} set) or of a tenant tier. */
  public synchronized ActiveOverride setShed(String priority, String tier, int percent, String by) {
    if (percent < 1 || percent > 100) {
      throw OverrideException.invalid("percent", percent + " (expected: 1..100)");
    }
    String target = shedTarget(priority, tier);
    if (priority != null) {
      int[] next = shedByClass.clone();
      next[priorityClass(priority).ordinal()] = percent;
      shedByClass = next;
    } else {
      shedByTier = with(shedByTier, tier, percent);
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("percent", percent);
    ActiveOverride o = put(ActiveOverride.Kind.SHED, target, settings, by);
    refreshDoor();
    return o;
  }

  /** Stops shedding a priority class or tier. */
  public synchronized Optional<ActiveOverride> clearShed(String priority, String tier) {
    String target = shedTarget(priority, tier);
    if (priority != null) {
      int[] next = shedByClass.clone();
      next[priorityClass(priority).ordinal()] = 0;
      shedByClass = next;
    } else {
      shedByTier = without(shedByTier, tier);
    }
    Optional<ActiveOverride> removed = remove(ActiveOverride.Kind.SHED, target);
    refreshDoor();
    return removed;
  }

  /**
   * Puts {@code route} in maintenance: 503 with {@code message}, and {@code Retry-After} when
   * {@code retryAfterSeconds > 0}.
   */
  public synchronized ActiveOverride setMaintenance(String route, String message, long retryAfterSeconds, String by) {
    route(route);
    if (message == null || message.isBlank()) {
      throw OverrideException.invalid("message", "missing or blank (expected: the text clients see)");
    }
    if (message.length() > 1000) {
      throw OverrideException.invalid("message", message.length() + " characters (expected: <= 1000)");
    }
    if (retryAfterSeconds < 0 || retryAfterSeconds > 86_400) {
      throw OverrideException.invalid("retryAfterSeconds", retryAfterSeconds + " (expected: 0..86400)");
    }
    maintenance = with(maintenance, route, new MaintenanceAnswer(message, retryAfterSeconds));
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("message", message);
    if (retryAfterSeconds > 0) {
      settings.put("retryAfterSeconds", retryAfterSeconds);
    }
    ActiveOverride o = put(ActiveOverride.Kind.MAINTENANCE, route, settings, by);
    refreshDoor();
    return o;
  }

  public synchronized Optional<ActiveOverride> clearMaintenance(String route) {
    route(route);
    maintenance = without(maintenance, route);
    Optional<ActiveOverride> removed = remove(ActiveOverride.Kind.MAINTENANCE, route);
    refreshDoor();
    return removed;
  }

  /** Drains ({@code true}) or restores the endpoint {@code host:port} in every backend that has it. */
  public synchronized Optional<ActiveOverride> setDrained(String endpoint, boolean drain, String by) {
    List<EndpointState> states = endpointStates(endpoint);
    states.forEach(s -> s.setDrained(drain));
    if (!drain) {
      drained = without(drained, endpoint);
      return remove(ActiveOverride.Kind.ENDPOINT_DRAIN, endpoint);
    }
    drained = with(drained, endpoint, Boolean.TRUE);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("state", "drained");
    return Optional.of(put(ActiveOverride.Kind.ENDPOINT_DRAIN, endpoint, settings, by));
  }

  /** Every control in force, in the order applied. */
  public List<ActiveOverride> list() {
    return List.copyOf(entries.values());
  }

  /** The {@code pin}/{@code max} in force on {@code backend}, or {@link LimitOverride#NONE}. */
  public LimitOverride backendLimit(String backend) {
    return backendLimits.getOrDefault(backend, LimitOverride.NONE);
  }

  // ---- helpers ----

  private ActiveOverride put(ActiveOverride.Kind kind, String target, Map<String, Object> settings, String by) {
    ActiveOverride o = new ActiveOverride(kind, target, settings, clock.instant(), by);
    Map<String, ActiveOverride> next = new LinkedHashMap<>(entries);
    next.remove(key(kind, target)); // re-applying moves it to the end, with its new time
    next.put(key(kind, target), o);
    entries = Collections.unmodifiableMap(next);
    return o;
  }

  private Optional<ActiveOverride> remove(ActiveOverride.Kind kind, String target) {
    if (!entries.containsKey(key(kind, target))) {
      return Optional.empty();
    }
    Map<String, ActiveOverride> next = new LinkedHashMap<>(entries);
    ActiveOverride removed = next.remove(key(kind, target));
    entries = Collections.unmodifiableMap(next);
    return Optional.of(removed);
  }

  private void refreshDoor() {
    boolean any = !maintenance.isEmpty() || !shedByTier.isEmpty();
    for (int p : shedByClass) {
      any |= p > 0;
    }
    atTheDoor = any;
  }

  private static String key(ActiveOverride.Kind kind, String target) {
    return kind.tag() + "|" + target;
  }

  private String shedTarget(String priority, String tier) {
    if ((priority == null) == (tier == null)) {
      throw OverrideException.invalid("priority", "give exactly one of \"priority\" (critical, standard, "
          + "sheddable) or \"tier\"");
    }
    if (priority != null) {
      return "priority:" + priorityClass(priority).name().toLowerCase(Locale.ROOT);
    }
    GatewayConfig live = config.get();
    if (live == null || !live.tiers().containsKey(tier)) {
      throw OverrideException.notFound("tier", "no tier named \"" + tier + "\""
          + (live == null || live.tiers().isEmpty() ? " (no tiers are defined)"
              : " (defined: " + String.join(", ", live.tiers().keySet()) + ")"));
    }
    return "tier:" + tier;
  }

  private static PriorityClass priorityClass(String name) {
    for (PriorityClass c : CLASSES) {
      if (c.name().equalsIgnoreCase(name.trim())) {
        return c;
      }
    }
    throw OverrideException.invalid("priority", "\"" + name + "\" (expected: critical, standard or sheddable)");
  }

  private Backend backend(String name) {
    Backend b = backends(router.get()).get(name);
    if (b == null) {
      throw OverrideException.notFound("backend", "no backend named \"" + name + "\"");
    }
    return b;
  }

  private Route route(String name) {
    for (Route r : router.get().routes()) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    throw OverrideException.notFound("route", "no route named \"" + name + "\"");
  }

  private List<EndpointState> endpointStates(String endpoint) {
    List<EndpointState> out = new ArrayList<>();
    for (Backend b : backends(router.get()).values()) {
      for (EndpointState s : b.endpointGroup().states()) {
        if (address(s).equals(endpoint)) {
          out.add(s);
        }
      }
    }
    if (out.isEmpty()) {
      throw OverrideException.notFound("endpoint", "no backend has an endpoint \"" + endpoint
          + "\" (expected: host:port as configured)");
    }
    return out;
  }

  /** {@code host:port} of an endpoint, the port always given ({@code [v6]:port} for IPv6). */
  static String address(EndpointState s) {
    var a = s.endpoint().address();
    return (a.host().indexOf(':') >= 0 ? "[" + a.host() + "]" : a.host()) + ":" + a.port();
  }

  /** Every backend of every failover tier of every route, by name. */
  private static Map<String, Backend> backends(Router router) {
    Map<String, Backend> out = new LinkedHashMap<>();
    for (Route r : router.routes()) {
      for (Route.Tier t : r.tiers()) {
        if (t.backend() != null) {
          out.putIfAbsent(t.backend().name(), t.backend());
        }
      }
    }
    return out;
  }

  private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
    Map<String, V> next = new LinkedHashMap<>(map);
    next.put(key, value);
    return Collections.unmodifiableMap(next);
  }

  private static <V> Map<String, V> without(Map<String, V> map, String key) {
    Map<String, V> next = new LinkedHashMap<>(map);
    next.remove(key);
    return Collections.unmodifiableMap(next);
  }

  private static RandomGenerator threadLocalRandom() {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return ThreadLocalRandom.current().nextLong();
      }

      @Override
      public int nextInt(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
      }
    };
  }
}
