package dev.spillway.core.overload;

/**
 * Where the overload manager reads memory use. {@link JvmMemorySource} reads the running JVM; tests drive
 * pressure with a fake one.
 */
public interface MemorySource {

  /** Heap bytes in use after the last garbage collection (what is live, not what awaits collection). */
  long heapUsed();

  /** The most heap the JVM may use. */
  long heapMax();

  /** Direct memory in use by Netty's buffers. */
  long directUsed();

  /** The most direct memory the JVM may use. */
  long directMax();

  /** Stops listening for whatever the source listens to. */
  default void close() {}
}
