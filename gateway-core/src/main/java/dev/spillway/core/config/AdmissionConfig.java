package dev.spillway.core.config;

import java.util.List;

/**
 * A route's admission control: who is asking, which limits apply, and how to answer when shedding. A route
 * without one admits everything (backends' concurrency limits still apply).
 *
 * @param identity how tenants are told apart
 * @param requireKnownKey answer 401 to keys that belong to no tenant, instead of giving them the default tier
 * @param defaultTier the tier of unknown keys and of client-IP identities; must name a tier
 * @param limits route-wide limits shared by all tenants (the per-tenant ones come from tiers)
 * @param tokens token estimation settings
 * @param rejection status codes and messages of rejections
 */
public record AdmissionConfig(IdentityConfig identity, boolean requireKnownKey, String defaultTier,
    List<LimitConfig> limits, TokenEstimationConfig tokens, RejectionConfig rejection) {
  public AdmissionConfig {
    Checks.notNull("identity", identity);
    Checks.notBlank("defaultTier", defaultTier);
    limits = List.copyOf(Checks.notNull("limits", limits));
    LimitNames.checkUnique(limits);
    Checks.notNull("tokens", tokens);
    Checks.notNull("rejection", rejection);
  }
}
