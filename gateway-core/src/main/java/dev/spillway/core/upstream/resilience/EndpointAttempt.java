package dev.spillway.core.upstream.resilience;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.upstream.Endpoint;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One request's use of one endpoint, handed out by {@link EndpointGroup#acquire()}. It holds a place in the
 * endpoint's outstanding count and a circuit-breaker permission, and must be completed exactly once, by one of
 * {@link #complete} (or directly {@link #onSuccess}, {@link #onFailure} or {@link #onCancelled}). Completion
 * is idempotent and thread-safe: the first call counts, later ones return {@code false} and change nothing,
 * so a timeout racing a response cannot count twice.
 *
 * <pre>{@code
 * EndpointAttempt attempt = group.acquire();
 * if (attempt == null) { answer 503; return; }
 * ... connect to attempt.endpoint(), send ...
 * attempt.onResponseHeaders(status, headers);           // cooldowns and headroom; any number of times
 * attempt.complete(AttemptOutcome.ofStatus(status), nanos);  // or RESET, TIMEOUT, CANCELLED, ...
 * }</pre>
 */
public final class EndpointAttempt {
  private static final AtomicIntegerFieldUpdater<EndpointAttempt> DONE =
      AtomicIntegerFieldUpdater.newUpdater(EndpointAttempt.class, "done");

  private final EndpointGroup group;
  private final EndpointState state;
  private volatile int done;

  EndpointAttempt(EndpointGroup group, EndpointState state) {
    this.group = group;
    this.state = state;
  }

  public Endpoint endpoint() {
    return state.endpoint();
  }

  /** Whether the attempt has been completed. */
  public boolean isDone() {
    return done != 0;
  }

  /**
   * The endpoint's response head arrived: a {@code 429} or {@code 503} asking for a pause cools the endpoint
   * down (see {@link UpstreamPause}), and {@code x-ratelimit-remaining-requests} is noted as headroom. Does not
   * complete the attempt; the status is judged by the caller's {@code onSuccess}/{@code onFailure}.
   */
  public void onResponseHeaders(int status, HttpHeaders headers) {
    group.onResponseHeaders(state, status, headers);
  }

  /**
   * The attempt ended with {@code outcome}: a success, a failure or neither for the endpoint, as
   * {@link AttemptOutcome#endpointVerdict()} says; the first completion is counted under {@code outcome}
   * ({@link EndpointState#attempts}).
   */
  public boolean complete(AttemptOutcome outcome, long latencyNanos) {
    boolean first = switch (outcome.endpointVerdict()) {
      case SUCCESS -> onSuccess(latencyNanos);
      case FAILURE -> onFailure(outcome, latencyNanos);
      case NEUTRAL -> onCancelled();
    };
    if (first) {
      state.countAttempt(outcome); // per-endpoint counts of every attempt, by the one classification
    }
    return first;
  }

  /** The call succeeded after {@code latencyNanos} (a slow call still counts towards the slow-call rate). */
  public boolean onSuccess(long latencyNanos) {
    if (!DONE.compareAndSet(this, 0, 1)) {
      return false;
    }
    state.succeeded(latencyNanos);
    group.outlier().onSuccess(state);
    return true;
  }

  /** The call failed with {@code outcome}: counts against the breaker and towards outlier ejection. */
  public boolean onFailure(AttemptOutcome outcome, long latencyNanos) {
    if (!DONE.compareAndSet(this, 0, 1)) {
      return false;
    }
    state.failed(outcome, latencyNanos);
    group.outlier().onFailure(state, group.ticker().nanoTime());
    return true;
  }

  /**
   * The attempt ended for a reason that says nothing about the endpoint (the client went away, the gateway
   * gave up first, the attempt was never used): the breaker permission is released, nothing is counted.
   */
  public boolean onCancelled() {
    if (!DONE.compareAndSet(this, 0, 1)) {
      return false;
    }
    state.cancelled();
    return true;
  }

  @Override
  public String toString() {
    return "EndpointAttempt{" + state.endpoint() + (done != 0 ? ", done}" : "}");
  }
}
