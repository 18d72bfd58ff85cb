package dev.spillway.core.admission.identity;

import dev.spillway.core.config.Cidr;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;

/**
 * Finds the client's address behind trusted proxies. {@code X-Forwarded-For} is read only when the peer itself
 * is a trusted proxy, and walked from the right, skipping entries that are trusted proxies: the first entry
 * that is not is the client. Entries left of it were written by the client and are never believed, so a
 * client cannot pick its own identity by sending the header.
 */
final class ClientAddresses {
  private final Cidr[] trusted;

  ClientAddresses(List<String> trustedProxies) {
    trusted = new Cidr[trustedProxies.size()];
    for (int i = 0; i < trusted.length; i++) {
      trusted[i] = Cidr.parse(trustedProxies.get(i));
    }
  }

  /**
   * The identity of the client's address: IPv4 as is, IPv6 by its /64 prefix ({@code 2001:db8:1:2::/64}),
   * since a single host is routinely given a whole /64 and could otherwise pick a fresh identity per request.
   */
  String clientKey(InetAddress peer, List<String> forwardedFor) {
    return identity(clientBytes(peer, forwardedFor));
  }

  /** {@link #clientKey} of the peer alone (no proxies consulted). */
  static String peerKey(InetAddress peer) {
    return identity(peer.getAddress());
  }

  private static String identity(byte[] address) {
    if (address.length != 16) {
      return NetUtil.bytesToIpAddress(address);
    }
    byte[] prefix = new byte[16];
    System.arraycopy(address, 0, prefix, 0, 8);
    return NetUtil.bytesToIpAddress(prefix) + "/64";
  }

  /**
   * The client's address in canonical text form.
   *
   * @param forwardedFor every {@code X-Forwarded-For} line in order (a hop may add a line or extend one)
   */
  String clientAddress(InetAddress peer, List<String> forwardedFor) {
    return NetUtil.bytesToIpAddress(clientBytes(peer, forwardedFor));
  }

  private byte[] clientBytes(InetAddress peer, List<String> forwardedFor) {
    byte[] hop = peer.getAddress();
    if (trusted.length == 0 || forwardedFor.isEmpty() || !isTrusted(hop)) {
      return hop;
    }
    for (int line = forwardedFor.size() - 1; line >= 0; line--) {
      String value = forwardedFor.get(line);
      int end = value.length();
      while (end >= 0) {
        int comma = value.lastIndexOf(',', end - 1);
        byte[] entry = parse(value, comma + 1, end);
        if (entry == null) {
          // A trusted hop passed on something that is not an address: whatever sent it is beyond what can be
          // verified, so the last hop we trust stands for it.
          return hop;
        }
        hop = entry;
        if (!isTrusted(hop)) {
          return hop;
        }
        if (comma < 0) {
          break;
        }
        end = comma;
      }
    }
    // Every hop is a trusted proxy: the left-most one is as far as the chain goes.
    return hop;
  }

  private boolean isTrusted(byte[] address) {
    for (Cidr cidr : trusted) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** An IP literal, optionally with a port ({@code 1.2.3.4:5678}, {@code [2001:db8::1]:443}); never a name. */
  private static byte[] parse(String value, int begin, int end) {
    String s = value.substring(begin, end).trim();
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      s = s.substring(1, close);
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && colon == s.lastIndexOf(':')) {
        s = s.substring(0, colon);
      }
    }
    return NetUtil.createByteArrayFromIpAddressString(s);
  }
}
