package dev.spillway.server.alerts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.spillway.server.config.AlertsConfig;
import dev.spillway.server.status.IncidentListener;
import dev.spillway.server.status.IncidentView;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts incident openings, operators' updates and resolutions to webhooks: JSON with a Slack-compatible
 * {@code text} field plus the incident's fields; {@code source} says whether the tracker or an operator caused
 * it, and an operator's post carries its {@code update} ({@code phase}, {@code text}, {@code at}). Each
 * (incident, transition, update count, webhook) is sent at most once, even if told twice; a failed attempt
 * (connection error, timeout, non-2xx) is retried {@code retries} times with exponential backoff. Everything
 * runs on the JDK HttpClient's async machinery and the given scheduler, never on the caller's thread; failures
 * are logged (one line per delivery given up) and counted.
 */
public final class WebhookNotifier implements IncidentListener {
  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final int DEDUP_MEMORY = 1024;

  private final AlertsConfig config;
  private final HttpClient client;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong givenUp = new AtomicLong();
  private final Set<String> sent = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > DEDUP_MEMORY;
    }
  });

  public WebhookNotifier(AlertsConfig config, HttpClient client, ScheduledExecutorService scheduler) {
    this.config = config;
    this.client = client;
    this.scheduler = scheduler;
  }

  @Override
  public void opened(IncidentView incident) {
    send(incident, "opened");
  }

  @Override
  public void updated(IncidentView incident) {
    send(incident, "updated");
  }

  @Override
  public void resolved(IncidentView incident) {
    send(incident, "resolved");
  }

  /** Deliveries that succeeded. */
  public long delivered() {
    return delivered.get();
  }

  /** Attempts that failed (each retry counts). */
  public long failedAttempts() {
    return failedAttempts.get();
  }

  /** Deliveries given up after every retry failed. */
  public long givenUp() {
    return givenUp.get();
  }

  /** Sends to every webhook; the future completes when every delivery has succeeded or been given up. */
  CompletableFuture<Void> send(IncidentView incident, String transition) {
    String body = payload(incident, transition);
    CompletableFuture<?>[] all = config.webhooks().stream()
        .filter(url -> markSent(incident.id() + "/" + transition + "/" + incident.updates().size() + "/" + url))
        .map(url -> attempt(url, body, 0, new CompletableFuture<Void>()))
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all);
  }

  private synchronized boolean markSent(String key) {
    return sent.add(key);
  }

  private CompletableFuture<Void> attempt(URI url, String body, int attempt, CompletableFuture<Void> done) {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(config.timeout())
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      if (error == null && response.statusCode() / 100 == 2) {
        delivered.incrementAndGet();
        done.complete(null);
        return;
      }
      failedAttempts.incrementAndGet();
      String why = error != null ? error.toString() : "HTTP " + response.statusCode();
      if (attempt >= config.retries()) {
        givenUp.incrementAndGet();
        log.warn("alert webhook {} failed after {} attempts, giving up: {}", url.getHost(), attempt + 1, why);
        done.complete(null);
        return;
      }
      long delay = config.backoff().toNanos() << Math.min(attempt, 20);
      scheduler.schedule(() -> attempt(url, body, attempt + 1, done), delay, TimeUnit.NANOSECONDS);
    });
    return done;
  }

  /**
   * The POST body: Slack reads {@code text}; other receivers get the incident's fields too. An operator's post
   * (an update, or the opening or resolution of an incident they opened) says so, with its phase and text.
   */
  static String payload(IncidentView incident, String transition) {
    String icon = switch (transition) {
      case "opened" -> ":rotating_light:";
      case "updated" -> ":memo:";
      default -> ":white_check_mark:";
    };
    boolean byOperator = transition.equals("updated") || incident.manual();
    IncidentView.Update post = byOperator && !incident.updates().isEmpty()
        ? incident.updates().get(incident.updates().size() - 1) : null;
    String text = icon + " Spillway incident #" + incident.id() + " " + transition
        + (post == null ? "" : " by an operator (" + post.phase().tag() + ")") + ": " + incident.title() + "\n"
        + (post == null ? incident.summary() : post.text());
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("text", text);
      g.writeStringField("event", "incident_" + transition);
      g.writeStringField("source", post == null ? "automatic" : "operator");
      if (post != null) {
        g.writeObjectFieldStart("update");
        g.writeStringField("phase", post.phase().tag());
        g.writeStringField("text", post.text());
        g.writeStringField("at", post.at().toString());
        g.writeEndObject();
      }
      g.writeNumberField("id", incident.id());
      g.writeStringField("title", incident.title());
      g.writeStringField("summary", incident.summary());
      g.writeStringField("impact", incident.impact().tag());
      g.writeBooleanField("open", incident.open());
      g.writeStringField("startedAt", incident.startedAt().toString());
      if (incident.endedAt() != null) {
        g.writeStringField("endedAt", incident.endedAt().toString());
      }
      g.writeNumberField("durationSeconds", incident.durationSeconds());
      g.writeArrayFieldStart("components");
      for (String c : incident.components()) {
        g.writeString(c);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
