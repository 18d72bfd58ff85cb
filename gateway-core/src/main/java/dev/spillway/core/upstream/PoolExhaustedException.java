package dev.spillway.core.upstream;

/** A pool had no free connection and no room for another. Stackless: it is a load signal, not a bug. */
public final class PoolExhaustedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public static final PoolExhaustedException INSTANCE = new PoolExhaustedException();

  private PoolExhaustedException() {
    super("connection pool exhausted", null, false, false);
  }
}
