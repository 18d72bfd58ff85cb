package dev.spillway.server.mock;

import io.netty.handler.ssl.SslContext;

/**
 * What the mock asks of its clients beyond HTTP: TLS ({@code --tls-cert/--tls-key} or
 * {@code --tls-self-signed}) and, in provider mode, one API key ({@code --require-key}).
 *
 * @param tls the server context, or {@code null} for plain HTTP
 * @param requiredKey the only key accepted (as {@code Authorization: Bearer}, {@code api-key} or
 *     {@code x-api-key}), or {@code null} to accept every request
 */
public record MockSecurity(SslContext tls, String requiredKey) {
  /** Plain HTTP, no key. */
  public static final MockSecurity NONE = new MockSecurity(null, null);

  public MockSecurity {
    if (requiredKey != null && requiredKey.isBlank()) {
      throw new IllegalArgumentException("requiredKey: blank (expected: a key, or none)");
    }
  }
}
