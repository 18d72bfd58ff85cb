package dev.spillway.core.observe;

/** How a request ended, as metrics and the access log see it. */
public enum Outcome {
  /** A backend answered and the whole response reached the client (whatever its status). */
  PROXIED("proxied"),
  /** Admission turned it away (429, 503, 401); see the shed reason. */
  SHED("shed"),
  /** The gateway answered with an error of its own before any response started (400s, 502, 504). */
  GATEWAY_ERROR("gateway_error"),
  /** The response started and then broke (backend failure or timeout mid-stream). */
  ABORTED("aborted"),
  /** The client went away before the response ended. */
  CLIENT_CLOSED("client_closed");

  private final String tag;

  Outcome(String tag) {
    this.tag = tag;
  }

  /** Metric and log tag, lower snake case. */
  public String tag() {
    return tag;
  }
}
