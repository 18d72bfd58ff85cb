package dev.spillway.core.admission;

import dev.spillway.core.admission.identity.TenantResolver;
import dev.spillway.core.admission.ratelimit.RouteRateLimiter;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.llm.TokenEstimator;

/**
 * One route's admission machinery, built once per config snapshot: who is asking, the route's rate limits,
 * how tokens are estimated, and the pre-encoded rejections.
 */
public final class RouteAdmission {
  private final AdmissionConfig config;
  private final TenantResolver tenants;
  private final RouteRateLimiter limiter;
  private final RejectionResponses rejections;
  private final boolean routeCountsTokens;
  private final TokenEstimator estimator;

  public RouteAdmission(AdmissionConfig config, TenantResolver tenants, RouteRateLimiter limiter) {
    this.config = config;
    this.tenants = tenants;
    this.limiter = limiter;
    this.rejections = new RejectionResponses(config.rejection());
    this.routeCountsTokens = hasTokenLimit(config.limits());
    // The BPE tables load here, off the event loops, and only where a request can be estimated at all.
    boolean mayCountTokens = routeCountsTokens
        || tenants.tiers().stream().anyMatch(tier -> hasTokenLimit(tier.limits()));
    this.estimator = new TokenEstimator(config.tokens(), TokenEstimator.MAX_TOKENIZED_BYTES, mayCountTokens);
  }

  private static boolean hasTokenLimit(java.util.List<LimitConfig> limits) {
    for (LimitConfig limit : limits) {
      if (limit.unit() == LimitUnit.TOKENS) {
        return true;
      }
    }
    return false;
  }

  /** Whether any token limit applies to {@code tenant} here, so its request body must be estimated. */
  public boolean countsTokens(Tenant tenant) {
    return routeCountsTokens || hasTokenLimit(tenant.tier().limits());
  }

  public AdmissionConfig config() {
    return config;
  }

  public TenantResolver tenants() {
    return tenants;
  }

  public RouteRateLimiter limiter() {
    return limiter;
  }

  public RejectionResponses rejections() {
    return rejections;
  }

  public TokenEstimationConfig tokens() {
    return config.tokens();
  }

  /** How this route estimates a request's tokens. */
  public TokenEstimator estimator() {
    return estimator;
  }
}
