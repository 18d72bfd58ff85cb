package dev.spillway.core.overload;

/** Memory use set by hand, in shares of a 1000-byte heap and a 1000-byte direct memory. */
public final class FakeMemory implements MemorySource {
  public volatile long heap;
  public volatile long direct;

  /** Sets both pressures (0 to 1). */
  public FakeMemory at(double heapPressure, double directPressure) {
    heap = Math.round(heapPressure * 1000);
    direct = Math.round(directPressure * 1000);
    return this;
  }

  @Override
  public long heapUsed() {
    return heap;
  }

  @Override
  public long heapMax() {
    return 1000;
  }

  @Override
  public long directUsed() {
    return direct;
  }

  @Override
  public long directMax() {
    return 1000;
  }
}
