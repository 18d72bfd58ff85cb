package dev.spillway.server.reload;

import dev.spillway.core.Gateway;
import dev.spillway.core.runtime.ConfigChanges;
import dev.spillway.core.runtime.ReloadResult;
import dev.spillway.server.admin.Monitoring;
import dev.spillway.server.config.ConfigLoadException;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.config.LoadedConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the config file of a running gateway: loads and validates the whole file (and its {@code keysFile})
 * first, then hands it to {@link Gateway#reload}, which applies all of it or nothing. Whatever the outcome,
 * the running config stays valid and the attempt is reported: the log, {@code spillway_config_reloads_total
 * {result}}, {@code /config} and the status page ({@link Monitoring#showConfig}).
 *
 * <p>Every reload runs on one thread of its own, never on an event loop, so triggers (the admin endpoint,
 * SIGHUP, the file watcher) never race each other.
 */
public final class ConfigReloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

  private final Path file;
  private final Function<String, String> env;
  private final Gateway gateway;
  private final Monitoring monitoring;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final Map<ReloadResult.Outcome, Counter> counters = new EnumMap<>(ReloadResult.Outcome.class);
  private LoadedConfig live;
  private volatile ConfigState state;

  /**
   * @param file the config file the gateway runs, or {@code null} for the built-in config (nothing to reload)
   * @param live the config it was started with
   */
  public ConfigReloader(Path file, Function<String, String> env, LoadedConfig live, Gateway gateway,
      Monitoring monitoring, Clock clock) {
    this.file = file;
    this.env = env;
    this.live = live;
    this.gateway = gateway;
    this.monitoring = monitoring;
    this.clock = clock;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spillway-reload");
      t.setDaemon(true);
      return t;
    });
    MeterRegistry registry = monitoring.metrics().registry();
    for (ReloadResult.Outcome outcome : ReloadResult.Outcome.values()) {
      counters.put(outcome, Counter.builder("spillway_config_reloads").tag("result", outcome.label())
          .description("Config reload attempts by result (applied, rejected, restart_required)").register(registry));
    }
    this.state = new ConfigState(file == null ? "built-in" : file.toString(), file == null ? "" : hash(sources()),
        clock.instant().toString(), null, null);
    monitoring.showConfig(live, state);
  }

  /** Asks for a reload on the reload thread; the future completes with the attempt. */
  public CompletableFuture<ReloadAttempt> reload(String trigger) {
    return CompletableFuture.supplyAsync(() -> reloadNow(trigger), thread);
  }

  /**
   * Watches the config file and its {@code keysFile} (polled every {@code intervalMillis} on the reload
   * thread) and reloads once a change has settled: see {@link FileWatch}.
   */
  public void watch(long intervalMillis) {
    if (file == null) {
      return;
    }
    FileWatch watch = new FileWatch(this::sources, state.sha256());
    thread.scheduleWithFixedDelay(() -> {
      try {
        if (watch.poll()) {
          watch.handled(reloadNow("file").sha256());
        }
      } catch (RuntimeException e) {
        log.warn("config file watch failed", e);
      }
    }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** {@code POST /config/reload}: a reload whose attempt is the JSON answer (200, 409 or 422). */
  public dev.spillway.server.admin.ConfigReloadAction adminAction() {
    return () -> reload("admin").thenApply(ConfigReloader::reply);
  }

  static dev.spillway.server.admin.ConfigReloadAction.Reply reply(ReloadAttempt attempt) {
    int status = switch (attempt.result()) {
      case "applied" -> 200;
      case "restart_required" -> 409;
      default -> 422;
    };
    try {
      byte[] json = new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(attempt);
      return new dev.spillway.server.admin.ConfigReloadAction.Reply(status, json);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render the reload attempt", e);
    }
  }

  /** Which config runs and how the last attempts went. */
  public ConfigState state() {
    return state;
  }

  /** Runs a reload on the calling thread; only for the reload thread and tests. */
  synchronized ReloadAttempt reloadNow(String trigger) {
    String at = clock.instant().toString();
    if (file == null) {
      return record(new ReloadAttempt(at, trigger, ReloadResult.Outcome.REJECTED.label(), "", List.of(),
          List.of(new ReloadAttempt.Problem("", 0, "the gateway runs the built-in config (no --config file): "
              + "there is no file to reload")), List.of()), ReloadResult.Outcome.REJECTED, null);
    }
    List<Path> sources = sources();
    String sha = hash(sources);
    LoadedConfig next;
    try {
      next = ConfigLoader.loadFile(file, env);
    } catch (ConfigLoadException e) {
      return record(new ReloadAttempt(at, trigger, ReloadResult.Outcome.REJECTED.label(), sha, List.of(),
          e.errors().stream().map(ReloadAttempt.Problem::of).toList(), List.of()), ReloadResult.Outcome.REJECTED,
          null);
    }
    List<String> restart = new ArrayList<>(ConfigChanges.restartKeys(live.gateway(), next.gateway()));
    restart.addAll(ConfigChanges.changedComponents("admin", live.admin(), next.admin()));
    restart.addAll(ConfigChanges.changedComponents("status", live.status(), next.status()));
    restart.addAll(ConfigChanges.changedComponents("alerts", live.alerts(), next.alerts()));
    restart.addAll(ConfigChanges.changedComponents("accessLog", live.accessLog(), next.accessLog()));
    restart.addAll(ConfigChanges.changedComponents("server.overload", live.overload(), next.overload()));
    if (!restart.isEmpty()) {
      return record(new ReloadAttempt(at, trigger, ReloadResult.Outcome.RESTART_REQUIRED.label(), sha, List.of(),
          List.of(), restart), ReloadResult.Outcome.RESTART_REQUIRED, null);
    }
    ReloadResult result = gateway.reload(next.gateway());
    ReloadAttempt attempt = new ReloadAttempt(at, trigger, result.outcome().label(), sha, result.changes(),
        result.problems().stream().map(p -> new ReloadAttempt.Problem("", 0, p)).toList(), result.restartKeys());
    return record(attempt, result.outcome(), result.applied() ? next : null);
  }

  private ReloadAttempt record(ReloadAttempt attempt, ReloadResult.Outcome outcome, LoadedConfig applied) {
    counters.get(outcome).increment();
    ConfigState before = state;
    if (applied != null) {
      live = applied;
      state = new ConfigState(before.source(), attempt.sha256(), attempt.at(), attempt, before.lastFailure());
      log.info("config reload {}", attempt.summary());
    } else {
      state = new ConfigState(before.source(), before.sha256(), before.since(), attempt, attempt);
      log.warn("config reload {}", attempt.summary());
    }
    monitoring.showConfig(live, state);
    return attempt;
  }

  private List<Path> sources() {
    return file == null ? List.of() : ConfigLoader.sourceFiles(file, env);
  }

  /** SHA-256 over the files' contents in order (an unreadable file counts as its name only). */
  static String hash(List<Path> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path f : files) {
        digest.update(f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 0);
        try {
          digest.update(Files.readAllBytes(f));
        } catch (IOException e) {
          digest.update((byte) 1);
        }
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
