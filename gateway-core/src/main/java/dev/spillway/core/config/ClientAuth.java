package dev.spillway.core.config;

/** Whether the TLS listener asks clients for a certificate ({@code server.tls.clientAuth}). */
public enum ClientAuth {
  /** No client certificate is requested. */
  NONE,
  /** A certificate is requested and verified when the client sends one; clients without one are let in. */
  OPTIONAL,
  /** A certificate signed by {@code clientCa} is required; the handshake fails without one. */
  REQUIRE
}
