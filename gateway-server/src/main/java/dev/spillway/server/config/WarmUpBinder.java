package dev.spillway.server.config;

import dev.spillway.core.config.Checks;

/**
 * Binds {@code server.warmUpRequests}: how many synthetic requests warm the request path up at start. The rest
 * of {@code server} is {@link ServerBinder}'s, which also reports a {@code server} that is not a map.
 */
final class WarmUpBinder {
  static final String KEY = "warmUpRequests";

  private WarmUpBinder() {}

  /** Returns the bound count, the default when absent, or {@code null} if an error was reported. */
  static Integer bind(ConfigNode tree, Problems problems, EnvSubstitution env) {
    if (!(tree instanceof ConfigNode.Mapping root)) {
      return LoadedConfig.DEFAULT_WARM_UP_REQUESTS;
    }
    ConfigNode.Entry server = root.get("server");
    if (server == null || !(server.value() instanceof ConfigNode.Mapping serverMap)) {
      return LoadedConfig.DEFAULT_WARM_UP_REQUESTS;
    }
    MappingReader reader = new MappingReader(serverMap, "server", server.keyLine(), problems, env);
    int errorsBefore = problems.count();
    int requests = reader.integer(KEY, LoadedConfig.DEFAULT_WARM_UP_REQUESTS);
    Integer checked = reader.construct(() -> Checks.nonNegative(KEY, requests));
    return problems.count() > errorsBefore ? null : checked;
  }
}
