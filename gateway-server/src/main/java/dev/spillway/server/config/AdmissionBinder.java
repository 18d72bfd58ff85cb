package dev.spillway.server.config;

import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.Cidr;
import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.IdentityConfig.IdentitySource;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.Tokenizer;
import java.util.List;

/**
 * Binds a route's {@code admission} to an {@link AdmissionConfig}. Only {@code defaultTier} is required;
 * whether it names a defined tier is checked with the other cross-references by
 * {@link dev.spillway.core.config.GatewayConfig}.
 */
final class AdmissionBinder {
  static final List<String> KEYS = List.of("identity", "requireKnownKey", "defaultTier", "limits", "tokens",
      "rejection");
  static final List<String> IDENTITY_KEYS = List.of("source", "header", "trustedProxies", "unknownKeys");
  static final List<String> TOKENS_KEYS = List.of("maxPrefix", "charsPerToken", "defaultMaxTokens", "requestUsage",
      "tokenizer");
  static final List<String> REJECTION_KEYS = List.of("rateLimitedStatus", "overloadedStatus", "rateLimitedMessage",
      "overloadedMessage");
  /** Unknown keys get the default tier rather than a 401: admission is opt-in per tenant, not a login wall. */
  static final boolean DEFAULT_REQUIRE_KNOWN_KEY = false;

  private AdmissionBinder() {}

  /** Returns the bound config, or {@code null} if any error was reported. */
  static AdmissionConfig bind(MappingReader admission) {
    int errorsBefore = admission.problems().count();
    admission.rejectUnknownKeys(KEYS);
    IdentityConfig identity = identity(admission.mapping("identity"));
    boolean requireKnownKey = admission.bool("requireKnownKey", DEFAULT_REQUIRE_KNOWN_KEY);
    String defaultTier = admission.string("defaultTier", null);
    if (defaultTier == null && !admission.has("defaultTier")) {
      admission.missing("defaultTier", "the name of a tier under tiers, for unknown keys and client IPs");
    }
    List<LimitConfig> limits = LimitBinder.bindAll(admission, "limits");
    TokenEstimationConfig tokens = tokens(admission.mapping("tokens"));
    RejectionConfig rejection = rejection(admission.mapping("rejection"));
    // Parts that failed (already reported) get valid stand-ins, so the constructor still checks the rest.
    AdmissionConfig config = admission.construct(() -> new AdmissionConfig(
        identity == null ? IdentityConfig.DEFAULTS : identity, requireKnownKey,
        defaultTier == null ? "stand-in" : defaultTier, limits == null ? List.of() : limits,
        tokens == null ? TokenEstimationConfig.DEFAULTS : tokens,
        rejection == null ? RejectionConfig.DEFAULTS : rejection));
    return admission.problems().count() > errorsBefore ? null : config;
  }

  private static IdentityConfig identity(MappingReader identity) {
    if (identity == null) {
      return null;
    }
    int errorsBefore = identity.problems().count();
    identity.rejectUnknownKeys(IDENTITY_KEYS);
    IdentitySource source = identity.enumValue("source", IdentitySource.class, "an identity source",
        IdentityConfig.DEFAULTS.source());
    String header = identity.string("header", IdentityConfig.DEFAULTS.header());
    List<String> trustedProxies = identity.list("trustedProxies", "a CIDR", AdmissionBinder::cidr);
    IdentityConfig.UnknownKeys unknownKeys = identity.enumValue("unknownKeys", IdentityConfig.UnknownKeys.class,
        "how unknown keys are limited", IdentityConfig.DEFAULTS.unknownKeys());
    IdentityConfig config = identity.construct(() -> new IdentityConfig(source, header,
        trustedProxies == null ? List.of() : trustedProxies, unknownKeys));
    return identity.problems().count() > errorsBefore ? null : config;
  }

  private static TokenEstimationConfig tokens(MappingReader tokens) {
    if (tokens == null) {
      return null;
    }
    int errorsBefore = tokens.problems().count();
    tokens.rejectUnknownKeys(TOKENS_KEYS);
    long maxPrefix = tokens.size("maxPrefix", TokenEstimationConfig.DEFAULT_MAX_PREFIX_BYTES);
    int charsPerToken = tokens.integer("charsPerToken", TokenEstimationConfig.DEFAULT_CHARS_PER_TOKEN);
    long defaultMaxTokens = tokens.longInteger("defaultMaxTokens", TokenEstimationConfig.DEFAULT_MAX_TOKENS);
    boolean requestUsage = tokens.bool("requestUsage", TokenEstimationConfig.DEFAULTS.requestUsage());
    String tokenizerName = tokens.string("tokenizer", TokenEstimationConfig.DEFAULT_TOKENIZER.configName());
    Tokenizer parsed = tokens.construct(() -> Tokenizer.parse("tokenizer", tokenizerName));
    Tokenizer tokenizer = parsed == null ? TokenEstimationConfig.DEFAULT_TOKENIZER : parsed;
    TokenEstimationConfig config = tokens.construct(() -> {
      try {
        return new TokenEstimationConfig(maxPrefix, charsPerToken, defaultMaxTokens, requestUsage, tokenizer);
      } catch (ConfigException e) {
        // The record names the field; the file calls it maxPrefix (it is a size, so "Bytes" is implied).
        throw e.path().equals("maxPrefixBytes") ? new ConfigException("maxPrefix", e.detail()) : e;
      }
    });
    return tokens.problems().count() > errorsBefore ? null : config;
  }

  private static RejectionConfig rejection(MappingReader rejection) {
    if (rejection == null) {
      return null;
    }
    int errorsBefore = rejection.problems().count();
    rejection.rejectUnknownKeys(REJECTION_KEYS);
    int rateLimitedStatus = rejection.integer("rateLimitedStatus", RejectionConfig.DEFAULT_RATE_LIMITED_STATUS);
    int overloadedStatus = rejection.integer("overloadedStatus", RejectionConfig.DEFAULT_OVERLOADED_STATUS);
    String rateLimitedMessage = rejection.string("rateLimitedMessage", RejectionConfig.DEFAULT_RATE_LIMITED_MESSAGE);
    String overloadedMessage = rejection.string("overloadedMessage", RejectionConfig.DEFAULT_OVERLOADED_MESSAGE);
    RejectionConfig config = rejection.construct(() -> new RejectionConfig(rateLimitedStatus, overloadedStatus,
        rateLimitedMessage, overloadedMessage));
    return rejection.problems().count() > errorsBefore ? null : config;
  }

  private static String cidr(String text) {
    try {
      Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a CIDR (expected: e.g. 10.0.0.0/8, "
          + "192.168.1.7/32, ::1/128)");
    }
    return text.trim();
  }
}
