package dev.spillway.core.upstream;

/** What an exchange is told when it asks a pool for a connection. Exactly one method is called, once. */
public interface PoolCallback {

  /** A connection, either idle from the pool or newly connected. The callee now owns the loan. */
  void onAcquired(UpstreamConnection connection);

  /**
   * No connection: {@code cause} is the connect failure, or {@link PoolExhaustedException#INSTANCE} when the
   * pool is at its limit.
   */
  void onAcquireFailed(Throwable cause);
}
