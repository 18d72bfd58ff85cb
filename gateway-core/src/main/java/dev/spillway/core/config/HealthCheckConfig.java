package dev.spillway.core.config;

import java.time.Duration;

/**
 * Active health checks of a backend's endpoints ({@code backends.<name>.healthCheck}): an HTTP/1.1
 * {@code GET path} to every endpoint each {@code interval}; a 2xx answer within {@code timeout} passes.
 * An endpoint turns unhealthy after {@code unhealthyThreshold} failed probes in a row and healthy again after
 * {@code healthyThreshold} passed ones. Endpoints start healthy, so traffic flows before the first probe.
 *
 * @param enabled whether probes run at all
 * @param path the request target, starting with {@code /}
 * @param interval time between two probes of one endpoint
 * @param jitter each wait is {@code interval} stretched or shrunk by up to this fraction at random, so
 *     probes of many gateways do not arrive together; 0..1
 * @param timeout connect plus answer time allowed to one probe
 * @param healthyThreshold passed probes in a row that make an unhealthy endpoint healthy
 * @param unhealthyThreshold failed probes in a row that make a healthy endpoint unhealthy
 */
public record HealthCheckConfig(
    boolean enabled,
    String path,
    Duration interval,
    double jitter,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold) {

  public static final String DEFAULT_PATH = "/health";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final double DEFAULT_JITTER = 0.1;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

  /** Disabled: not every AI backend has a health endpoint, so probing is opt-in. */
  public static final HealthCheckConfig DEFAULTS = new HealthCheckConfig(false, DEFAULT_PATH, DEFAULT_INTERVAL,
      DEFAULT_JITTER, DEFAULT_TIMEOUT, DEFAULT_HEALTHY_THRESHOLD, DEFAULT_UNHEALTHY_THRESHOLD);

  public HealthCheckConfig {
    Checks.notBlank("path", path);
    if (path.charAt(0) != '/' || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new ConfigException("path", "\"" + path + "\" (expected: an origin-form target like /health)");
    }
    Checks.positive("interval", interval);
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new ConfigException("jitter", jitter + " (expected: 0..1)");
    }
    Checks.positive("timeout", timeout);
    Checks.positive("healthyThreshold", healthyThreshold);
    Checks.positive("unhealthyThreshold", unhealthyThreshold);
  }
}
