package dev.spillway.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A parsed CIDR block ({@code 10.0.0.0/8}); only IP literals are accepted, never names to resolve. */
public record Cidr(byte[] network, int prefixLength) {

  /** Parses {@code address/prefix} (or a bare address, meaning a single host). */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    if (!isLiteral(addr)) {
      throw new IllegalArgumentException("\"" + text + "\" is not a CIDR");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a CIDR", e);
    }
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("\"" + text + "\" is not a CIDR", e);
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("\"" + text + "\" is not a CIDR");
      }
    }
    return new Cidr(bytes, prefix);
  }

  static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether {@code address} (4 or 16 bytes) lies in this block. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  private static boolean isLiteral(String addr) {
    if (addr.isEmpty()) {
      return false;
    }
    if (addr.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < addr.length(); i++) {
      char c = addr.charAt(i);
      if (!(c == '.' || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }
}
