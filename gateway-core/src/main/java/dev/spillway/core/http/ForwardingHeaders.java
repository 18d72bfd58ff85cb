package dev.spillway.core.http;

import dev.spillway.core.config.Cidr;
import dev.spillway.core.config.ForwardedHeadersConfig;
import dev.spillway.core.config.ForwardedHeadersConfig.Mode;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.util.List;

/**
 * Writes the forwarding headers of a request going upstream ({@code Forwarded} per RFC 7239,
 * {@code X-Forwarded-For}, {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}) as
 * {@link ForwardedHeadersConfig} says, so a backend can believe what it reads:
 *
 * <ul>
 *   <li>a peer in {@code trustedProxies}: its headers are kept, the gateway's entry appended to
 *       {@code Forwarded} and {@code X-Forwarded-For}, its {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}
 *       believed (set from this hop only when absent);</li>
 *   <li>any other peer, {@link Mode#REPLACE}: everything it sent ({@code X-Real-IP} and {@code X-Forwarded-Port}
 *       too) is removed and fresh headers written from the connection;</li>
 *   <li>{@link Mode#APPEND}: its {@code Forwarded}/{@code X-Forwarded-For} chains are kept and extended, while
 *       proto and host are this hop's;</li>
 *   <li>{@link Mode#DROP}: everything removed, nothing written.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class ForwardingHeaders {
  public static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  public static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
  public static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
  public static final ForwardingHeaders DEFAULTS = new ForwardingHeaders(ForwardedHeadersConfig.DEFAULTS);

  private final Cidr[] trusted;
  private final Mode mode;

  public ForwardingHeaders(ForwardedHeadersConfig config) {
    List<String> proxies = config.trustedProxies();
    this.trusted = new Cidr[proxies.size()];
    for (int i = 0; i < trusted.length; i++) {
      trusted[i] = Cidr.parse(proxies.get(i));
    }
    this.mode = config.mode();
  }

  /**
   * Rewrites {@code headers} in place.
   *
   * @param peer the address of the connection's peer, or {@code null} (never trusted)
   * @param peerIp the same as text ({@code unknown} when there is none)
   * @param scheme the scheme the client used to reach this gateway ({@code http} or {@code https})
   * @param host the client's {@code Host} (or absolute-form authority), or {@code null}
   */
  public void apply(HttpHeaders headers, InetAddress peer, String peerIp, String scheme, String host) {
    if (isTrusted(peer)) {
      String proto = lastValue(headers, ProxyHeaders.X_FORWARDED_PROTO);
      String effectiveProto = proto != null ? proto : scheme;
      appendFor(headers, peerIp);
      headers.set(ProxyHeaders.X_FORWARDED_PROTO, effectiveProto);
      if (!headers.contains(ProxyHeaders.X_FORWARDED_HOST) && host != null) {
        headers.set(ProxyHeaders.X_FORWARDED_HOST, host);
      }
      appendForwarded(headers, peerIp, scheme, host);
      return;
    }
    switch (mode) {
      case REPLACE -> {
        removeAll(headers);
        write(headers, peerIp, scheme, host);
      }
      case APPEND -> {
        headers.remove(X_REAL_IP);
        headers.remove(X_FORWARDED_PORT);
        appendFor(headers, peerIp);
        headers.set(ProxyHeaders.X_FORWARDED_PROTO, scheme);
        setOrRemove(headers, ProxyHeaders.X_FORWARDED_HOST, host);
        appendForwarded(headers, peerIp, scheme, host);
      }
      case DROP -> removeAll(headers);
      default -> throw new IllegalStateException(mode.name());
    }
  }

  boolean isTrusted(InetAddress peer) {
    if (peer == null || trusted.length == 0) {
      return false;
    }
    byte[] address = peer.getAddress();
    for (Cidr cidr : trusted) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static void removeAll(HttpHeaders headers) {
    headers.remove(FORWARDED);
    headers.remove(ProxyHeaders.X_FORWARDED_FOR);
    headers.remove(ProxyHeaders.X_FORWARDED_PROTO);
    headers.remove(ProxyHeaders.X_FORWARDED_HOST);
    headers.remove(X_FORWARDED_PORT);
    headers.remove(X_REAL_IP);
  }

  private static void write(HttpHeaders headers, String peerIp, String scheme, String host) {
    headers.set(ProxyHeaders.X_FORWARDED_FOR, peerIp);
    headers.set(ProxyHeaders.X_FORWARDED_PROTO, scheme);
    setOrRemove(headers, ProxyHeaders.X_FORWARDED_HOST, host);
    headers.set(FORWARDED, forwardedElement(peerIp, scheme, host));
  }

  private static void appendFor(HttpHeaders headers, String peerIp) {
    String xff = joinAll(headers, ProxyHeaders.X_FORWARDED_FOR);
    headers.set(ProxyHeaders.X_FORWARDED_FOR, xff == null ? peerIp : xff + ", " + peerIp);
  }

  private static void appendForwarded(HttpHeaders headers, String peerIp, String scheme, String host) {
    String element = forwardedElement(peerIp, scheme, host);
    String earlier = joinAll(headers, FORWARDED);
    headers.set(FORWARDED, earlier == null ? element : earlier + ", " + element);
  }

  private static void setOrRemove(HttpHeaders headers, CharSequence name, String value) {
    if (value != null) {
      headers.set(name, value);
    } else {
      headers.remove(name);
    }
  }

  /** One RFC 7239 element: {@code for=192.0.2.7;proto=http;host="api.example.com"}, IPv6 quoted in brackets. */
  static String forwardedElement(String peerIp, String scheme, String host) {
    StringBuilder sb = new StringBuilder(64).append("for=");
    if (peerIp.indexOf(':') >= 0) {
      sb.append("\"[").append(peerIp).append("]\"");
    } else if (peerIp.equals("unknown")) {
      sb.append("unknown");
    } else {
      sb.append(peerIp);
    }
    sb.append(";proto=").append(scheme);
    if (host != null && isQuotable(host)) {
      sb.append(";host=\"").append(host).append('"');
    }
    return sb.toString();
  }

  /** Whether {@code s} fits in a quoted-string without escaping (the decoder already refused control bytes). */
  private static boolean isQuotable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static String lastValue(HttpHeaders headers, CharSequence name) {
    List<String> values = headers.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    String last = values.get(values.size() - 1);
    int comma = last.lastIndexOf(',');
    String v = (comma < 0 ? last : last.substring(comma + 1)).trim();
    return v.isEmpty() ? null : v;
  }

  private static String joinAll(HttpHeaders headers, CharSequence name) {
    List<String> values = headers.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(", ", values);
  }
}
