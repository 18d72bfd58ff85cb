package dev.spillway.bench.load;

/** Where a load run sends its requests: a named server on 127.0.0.1 (the generator targets loopback only). */
public record Target(String name, int port) {
  /** Validates the port. */
  public Target {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
  }

  public String host() {
    return "127.0.0.1";
  }
}
