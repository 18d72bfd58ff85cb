package dev.spillway.core.admission.ratelimit;

/**
 * Tokens held against a tenant's (and a route's) token limits while its request runs. Exactly one of
 * {@link #settle} or {@link #release} takes effect; later calls do nothing.
 */
public interface TokenReservation {
  /** For requests on routes without token limits. */
  TokenReservation NONE = new TokenReservation() {
    @Override
    public long reservedTokens() {
      return 0;
    }

    @Override
    public void settle(long actualTokens) {}

    @Override
    public void release() {}
  };

  /** What was taken at admission. */
  long reservedTokens();

  /**
   * The request used {@code actualTokens} (from the response's {@code usage}, or counted from a broken
   * stream): the unused part goes back, overuse is charged as debt the tenant's bucket must refill.
   */
  void settle(long actualTokens);

  /** The request never reached a backend: give everything back. */
  void release();
}
