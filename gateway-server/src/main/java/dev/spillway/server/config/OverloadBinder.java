package dev.spillway.server.config;

import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.OverloadConfig.Thresholds;
import java.time.Duration;
import java.util.List;

/**
 * Binds {@code server.overload} to an {@link OverloadConfig}; absent keys take the record's defaults. The rest
 * of {@code server} is {@link ServerBinder}'s, which also reports a {@code server} that is not a map.
 */
final class OverloadBinder {
  static final List<String> KEYS = List.of("maxConnections", "heap", "directMemory", "sampleInterval",
      "shortClientTimeout");
  static final List<String> THRESHOLD_KEYS = List.of("keepAliveOff", "shortenTimeouts", "stopAccepting");

  private OverloadBinder() {}

  /** Returns the bound config, the defaults when absent, or {@code null} if any error was reported. */
  static OverloadConfig bind(ConfigNode tree, Problems problems, EnvSubstitution env) {
    if (!(tree instanceof ConfigNode.Mapping root)) {
      return OverloadConfig.DEFAULTS;
    }
    ConfigNode.Entry server = root.get("server");
    if (server == null || !(server.value() instanceof ConfigNode.Mapping serverMap)) {
      return OverloadConfig.DEFAULTS;
    }
    MappingReader overload = new MappingReader(serverMap, "server", server.keyLine(), problems, env)
        .mapping("overload");
    if (overload == null) {
      return null;
    }
    int errorsBefore = problems.count();
    overload.rejectUnknownKeys(KEYS);
    OverloadConfig d = OverloadConfig.DEFAULTS;
    int maxConnections = overload.integer("maxConnections", d.maxConnections());
    Thresholds heap = thresholds(overload.mapping("heap"));
    Thresholds direct = thresholds(overload.mapping("directMemory"));
    Duration sampleInterval = overload.duration("sampleInterval", d.sampleInterval());
    Duration shortClientTimeout = overload.duration("shortClientTimeout", d.shortClientTimeout());
    OverloadConfig config = overload.construct(() -> new OverloadConfig(maxConnections,
        heap == null ? Thresholds.DEFAULTS : heap, direct == null ? Thresholds.DEFAULTS : direct, sampleInterval,
        shortClientTimeout));
    return problems.count() > errorsBefore ? null : config;
  }

  private static Thresholds thresholds(MappingReader reader) {
    if (reader == null) {
      return null;
    }
    reader.rejectUnknownKeys(THRESHOLD_KEYS);
    Thresholds d = Thresholds.DEFAULTS;
    double keepAliveOff = reader.decimal("keepAliveOff", d.keepAliveOff());
    double shortenTimeouts = reader.decimal("shortenTimeouts", d.shortenTimeouts());
    double stopAccepting = reader.decimal("stopAccepting", d.stopAccepting());
    return reader.construct(() -> new Thresholds(keepAliveOff, shortenTimeouts, stopAccepting));
  }
}
