package dev.spillway.server.config;

import dev.spillway.core.config.Checks;
import dev.spillway.core.config.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Webhooks told when an incident opens and when it resolves.
 *
 * @param webhooks URLs that get a JSON POST with a Slack-compatible {@code text} field (none: alerts off)
 * @param retries further attempts after a failed delivery
 * @param backoff delay before the first retry; doubled for each further one
 * @param timeout how long one attempt may take
 */
public record AlertsConfig(List<URI> webhooks, int retries, Duration backoff, Duration timeout) {
  public static final int DEFAULT_RETRIES = 3;
  public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final AlertsConfig DEFAULTS = new AlertsConfig(List.of(), DEFAULT_RETRIES, DEFAULT_BACKOFF,
      DEFAULT_TIMEOUT);

  public AlertsConfig {
    webhooks = List.copyOf(Checks.notNull("webhooks", webhooks));
    for (int i = 0; i < webhooks.size(); i++) {
      String scheme = webhooks.get(i).getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme) || webhooks.get(i).getHost() == null) {
        throw new ConfigException("webhooks[" + i + "]", "\"" + webhooks.get(i) + "\" (expected: an http or https URL)");
      }
    }
    Checks.inRange("retries", retries, 0, 20);
    Checks.positive("backoff", backoff);
    Checks.positive("timeout", timeout);
  }

  /** Webhook URLs may hold secrets (Slack's do): shows only their hosts. */
  @Override
  public String toString() {
    return "AlertsConfig[webhooks=" + webhooks.stream().map(URI::getHost).toList() + ", retries=" + retries
        + ", backoff=" + backoff + ", timeout=" + timeout + "]";
  }
}
