package dev.spillway.core;

/** The gateway could not start, e.g. because its port is taken. */
public final class GatewayStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GatewayStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
