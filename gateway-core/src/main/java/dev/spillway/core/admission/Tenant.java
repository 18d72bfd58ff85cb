package dev.spillway.core.admission;

import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.TierConfig;

/**
 * Who is asking, as admission sees it.
 *
 * @param key stable, non-secret identity used to key buckets and fair queues: {@code t:<tenant name>} for a
 *     known tenant, {@code u:<default tier>} shared by every unknown key ({@code u:<tier>:<address>} when
 *     they are told apart by client), {@code ip:<address>} (an IPv6 client by {@code <prefix>/64}) for client-IP
 *     identity, {@code anonymous} when nothing identifies the client
 * @param name a display name for logs: the tenant's name, or the key above
 * @param tier the tier whose limits and priority apply
 * @param known whether the key belongs to a configured tenant
 */
public record Tenant(String key, String name, TierConfig tier, boolean known) {

  public PriorityClass priority() {
    return tier.priority();
  }
}
