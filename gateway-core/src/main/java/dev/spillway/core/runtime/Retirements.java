package dev.spillway.core.runtime;

import dev.spillway.core.upstream.Endpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backends and endpoints a reload removed, waiting for their last requests: {@link #poll()} (run periodically,
 * off the request path) closes the pools of each one that has drained. Thread-safe.
 */
public final class Retirements {
  private static final Logger log = LoggerFactory.getLogger(Retirements.class);

  private final Consumer<Collection<Endpoint>> closePools;
  private final List<Retiring> waiting = new ArrayList<>();

  /** @param closePools retires the pools of the given endpoints ({@code UpstreamPools::retire}) */
  public Retirements(Consumer<Collection<Endpoint>> closePools) {
    this.closePools = closePools;
  }

  public synchronized void add(Collection<Retiring> retiring) {
    waiting.addAll(retiring);
    poll();
  }

  /** Closes the pools of every retired item that has drained; returns how many still wait. */
  public synchronized int poll() {
    for (var it = waiting.iterator(); it.hasNext(); ) {
      Retiring r = it.next();
      if (r.drained().getAsBoolean()) {
        it.remove();
        closePools.accept(r.endpoints());
        log.info("reload: {} drained, {} endpoint pool(s) closed", r.what(), r.endpoints().size());
      }
    }
    return waiting.size();
  }

  /** Items still draining. */
  public synchronized int pending() {
    return waiting.size();
  }
}
