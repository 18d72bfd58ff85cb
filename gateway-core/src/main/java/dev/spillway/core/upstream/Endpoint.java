package dev.spillway.core.upstream;

import dev.spillway.core.config.EndpointAddress;
import java.net.InetSocketAddress;

/**
 * One server of a backend. Its socket address is left unresolved so each connect resolves the name again and
 * follows DNS changes.
 */
public final class Endpoint {
  private final EndpointAddress address;
  private final InetSocketAddress socketAddress;
  private final String authority;

  public Endpoint(EndpointAddress address) {
    this.address = address;
    this.socketAddress = InetSocketAddress.createUnresolved(address.host(), address.port());
    this.authority = address.authority();
  }

  public EndpointAddress address() {
    return address;
  }

  InetSocketAddress socketAddress() {
    return socketAddress;
  }

  /** The {@code Host} header value for requests to this endpoint. */
  public String authority() {
    return authority;
  }

  @Override
  public String toString() {
    return address.toString();
  }
}
