package dev.spillway.core.http;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The address of the peer on the other end of a client connection. */
public final class PeerAddresses {
  private PeerAddresses() {}

  /** The peer's IP address, or {@code null} when the channel is not an IP socket (tests). */
  public static InetAddress address(Channel channel) {
    SocketAddress remote = channel.remoteAddress();
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  /** The peer's IP address as text for {@code X-Forwarded-For}, or {@code unknown}. */
  public static String ip(Channel channel) {
    SocketAddress remote = channel.remoteAddress();
    if (remote instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return "unknown";
  }
}
