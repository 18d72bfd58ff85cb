package dev.spillway.server.statuspage;

import java.time.Instant;

/**
 * A route an operator put in maintenance (the incident control {@code PUT /overrides/routes/{name}/maintenance}),
 * as the public page shows it: its components read {@code under_maintenance}, with the operator's text.
 *
 * @param message what the operator tells clients (the 503's error message)
 * @param since when the maintenance was set
 */
public record RouteMaintenance(String message, Instant since) {}
