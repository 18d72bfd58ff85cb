package dev.spillway.server.config;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Binds a backend's {@code concurrency} (a map, or a bare integer meaning a static limit) and
 * {@code waitingRoom}. Without {@code concurrency} a backend has no in-flight limit, and a
 * {@code waitingRoom} would never be used, so one without the other is an error.
 */
final class ConcurrencyBinder {
  static final List<String> KEYS = List.of("mode", "limit", "minLimit", "maxLimit", "engineSignal",
      "prefillGate");
  static final List<String> ENGINE_SIGNAL_KEYS = List.of("preset", "path", "runningMetric", "waitingMetric",
      "kvCacheMetric", "interval", "timeout", "staleAfter", "targetWaiting", "maxResponseBytes",
      "combine");
  static final List<String> WAITING_ROOM_KEYS = List.of("maxQueue", "maxWait", "shares", "codelTarget",
      "codelInterval");
  /** A limit given without a mode stays where it is put. */
  static final ConcurrencyConfig.Mode DEFAULT_MODE = ConcurrencyConfig.Mode.STATIC;

  private ConcurrencyBinder() {}

  /** The backend's concurrency limit, or {@code null} if absent or after reporting errors. */
  static ConcurrencyConfig concurrency(MappingReader backend) {
    ConfigNode.Entry entry = backend.node().get("concurrency");
    if (entry == null || !backend.has("concurrency")) {
      return null;
    }
    if (entry.value() instanceof ConfigNode.Scalar) {
      ConcurrencyConfig fixed = backend.scalar(entry.value(), backend.childPath("concurrency"), entry.keyLine(),
          "a concurrency limit", ConcurrencyBinder::fixed);
      return fixed;
    }
    MappingReader concurrency = backend.mapping("concurrency");
    if (concurrency == null) {
      return null;
    }
    int errorsBefore = concurrency.problems().count();
    concurrency.rejectUnknownKeys(KEYS);
    ConcurrencyConfig.Mode mode = concurrency.enumValue("mode", ConcurrencyConfig.Mode.class, "a concurrency mode",
        DEFAULT_MODE);
    int limit = concurrency.integer("limit", ConcurrencyConfig.DEFAULT_LIMIT);
    int minLimit = concurrency.integer("minLimit", ConcurrencyConfig.DEFAULT_MIN_LIMIT);
    int maxLimit = concurrency.integer("maxLimit", ConcurrencyConfig.DEFAULT_MAX_LIMIT);
    EngineSignalConfig engine = concurrency.has("engineSignal") ? engineSignal(concurrency) : null;
    boolean prefillGate = concurrency.bool("prefillGate", false);
    ConcurrencyConfig config = concurrency.construct(() -> new ConcurrencyConfig(mode, limit, minLimit, maxLimit,
        engine, prefillGate));
    return concurrency.problems().count() > errorsBefore ? null : config;
  }

  /**
   * {@code concurrency.engineSignal}: the preset's names and path unless overridden; {@code null} after
   * reporting errors.
   */
  static EngineSignalConfig engineSignal(MappingReader concurrency) {
    MappingReader engine = concurrency.mapping("engineSignal");
    if (engine == null) {
      return null;
    }
    int errorsBefore = engine.problems().count();
    engine.rejectUnknownKeys(ENGINE_SIGNAL_KEYS);
    EnginePreset preset = engine.enumValue("preset", EnginePreset.class, "an engine preset", EnginePreset.VLLM);
    EngineSignalConfig defaults = EngineSignalConfig.of(preset);
    String path = engine.string("path", defaults.path());
    String running = engine.string("runningMetric", defaults.runningMetric());
    String waiting = engine.string("waitingMetric", defaults.waitingMetric());
    String kvCache = engine.string("kvCacheMetric", defaults.kvCacheMetric());
    Duration interval = engine.duration("interval", defaults.interval());
    Duration timeout = engine.duration("timeout", engine.has("interval")
        ? interval.multipliedBy(4).dividedBy(5) : defaults.timeout());
    Duration staleAfter = engine.duration("staleAfter", interval.multipliedBy(EngineSignalConfig.STALE_INTERVALS));
    int targetWaiting = engine.integer("targetWaiting", defaults.targetWaiting());
    int maxResponseBytes = engine.intSize("maxResponseBytes", defaults.maxResponseBytes());
    EngineSignalConfig.Combine combine = engine.enumValue("combine", EngineSignalConfig.Combine.class,
        "a way to combine limits", defaults.combine());
    EngineSignalConfig config = engine.construct(() -> new EngineSignalConfig(preset, path, running, waiting,
        kvCache, interval, timeout, staleAfter, targetWaiting, maxResponseBytes, combine));
    return engine.problems().count() > errorsBefore ? null : config;
  }

  /** The backend's waiting room (defaults if absent), or {@code null} after reporting errors. */
  static WaitingRoomConfig waitingRoom(MappingReader backend) {
    if (!backend.has("waitingRoom")) {
      return WaitingRoomConfig.DEFAULTS;
    }
    MappingReader room = backend.mapping("waitingRoom");
    if (room == null) {
      return null;
    }
    int errorsBefore = room.problems().count();
    if (!backend.has("concurrency")) {
      room.problems().add(room.path(), room.problems().lineOf(room.path()), "has no effect without concurrency "
          + "(expected: set concurrency too, or remove waitingRoom)");
    }
    room.rejectUnknownKeys(WAITING_ROOM_KEYS);
    int maxQueue = room.integer("maxQueue", WaitingRoomConfig.DEFAULT_MAX_QUEUE);
    Duration maxWait = room.duration("maxWait", WaitingRoomConfig.DEFAULT_MAX_WAIT);
    Map<PriorityClass, Double> shares = room.has("shares") ? shares(room) : WaitingRoomConfig.defaultShares();
    Duration codelTarget = room.duration("codelTarget", WaitingRoomConfig.DEFAULT_CODEL_TARGET);
    Duration codelInterval = room.duration("codelInterval", WaitingRoomConfig.DEFAULT_CODEL_INTERVAL);
    WaitingRoomConfig config = room.construct(() -> new WaitingRoomConfig(maxQueue, maxWait,
        shares == null ? WaitingRoomConfig.defaultShares() : shares, codelTarget, codelInterval));
    return room.problems().count() > errorsBefore ? null : config;
  }

  /** Classes left out get no guaranteed share (they may still borrow idle capacity). */
  private static Map<PriorityClass, Double> shares(MappingReader room) {
    MappingReader shares = room.mapping("shares");
    if (shares == null) {
      return null;
    }
    List<String> classes = new ArrayList<>();
    for (PriorityClass c : PriorityClass.values()) {
      classes.add(Scalars.configName(c));
    }
    int errorsBefore = shares.problems().count();
    shares.rejectUnknownKeys(classes);
    Map<PriorityClass, Double> result = new EnumMap<>(PriorityClass.class);
    for (PriorityClass c : PriorityClass.values()) {
      result.put(c, shares.decimal(Scalars.configName(c), 0.0));
    }
    return shares.problems().count() > errorsBefore ? null : result;
  }

  private static ConcurrencyConfig fixed(String text) {
    try {
      return ConcurrencyConfig.fixed(Scalars.toInt(text));
    } catch (ConfigException e) {
      // Reported at concurrency itself: with the short form there is no limit key to point at.
      throw new IllegalArgumentException(e.detail());
    }
  }
}
