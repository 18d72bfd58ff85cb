package dev.spillway.server.status;

/**
 * A component's state with the one-line reason for it.
 *
 * @param state the state
 * @param reason why, for humans ("12% of requests failed in the last 30s")
 * @param stats what the state was derived from
 */
public record Assessment(ComponentState state, String reason, WindowStats stats) {}
