package dev.spillway.core.config;

/**
 * What a route answers when it sheds.
 *
 * @param rateLimitedStatus status for rate-limit rejections (OpenAI clients expect 429)
 * @param overloadedStatus status for capacity shedding (503; some providers use 529)
 * @param rateLimitedMessage the {@code error.message} of rate-limit rejections
 * @param overloadedMessage the {@code error.message} of capacity shedding
 */
public record RejectionConfig(int rateLimitedStatus, int overloadedStatus, String rateLimitedMessage,
    String overloadedMessage) {
  public static final int DEFAULT_RATE_LIMITED_STATUS = 429;
  public static final int DEFAULT_OVERLOADED_STATUS = 503;
  public static final String DEFAULT_RATE_LIMITED_MESSAGE =
      "Rate limit reached. Please retry after the time given in the Retry-After header.";
  public static final String DEFAULT_OVERLOADED_MESSAGE =
      "The service is at capacity right now. Please retry shortly.";
  public static final RejectionConfig DEFAULTS = new RejectionConfig(DEFAULT_RATE_LIMITED_STATUS,
      DEFAULT_OVERLOADED_STATUS, DEFAULT_RATE_LIMITED_MESSAGE, DEFAULT_OVERLOADED_MESSAGE);

  public RejectionConfig {
    Checks.inRange("rateLimitedStatus", rateLimitedStatus, 400, 599);
    Checks.inRange("overloadedStatus", overloadedStatus, 400, 599);
    Checks.notBlank("rateLimitedMessage", rateLimitedMessage);
    Checks.notBlank("overloadedMessage", overloadedMessage);
  }
}
