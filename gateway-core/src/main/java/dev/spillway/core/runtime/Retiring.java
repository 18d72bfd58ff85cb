package dev.spillway.core.runtime;

import dev.spillway.core.upstream.Endpoint;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Something a reload took out of service (a backend, or endpoints of a kept one) whose connection pools close
 * once nothing runs on it any more.
 *
 * @param what for the log, e.g. {@code backend old-vllm}
 * @param drained whether its requests (in flight, and waiting for a slot) have all finished
 * @param endpoints the endpoints whose pools then close
 */
public record Retiring(String what, BooleanSupplier drained, List<Endpoint> endpoints) {
  public Retiring {
    endpoints = List.copyOf(endpoints);
  }
}
