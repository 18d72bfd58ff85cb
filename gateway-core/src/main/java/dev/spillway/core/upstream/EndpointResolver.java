package dev.spillway.core.upstream;

import dev.spillway.core.transport.Transport;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsCnameCache;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import java.net.InetSocketAddress;

/**
 * Resolves endpoint host names without ever blocking an event loop: Netty's asynchronous DNS resolver, one per
 * event loop, sharing one cache that keeps each answer for its TTL (so a DNS change is followed once the old
 * record expires). Name servers, search domains and {@code ndots} come from the system
 * ({@code /etc/resolv.conf}), and {@code /etc/hosts} is read first, as the JDK's resolver does. IP literals
 * never reach DNS.
 *
 * <p>Netty's default for a {@code Bootstrap} is the JDK's {@code InetAddress.getByName}, a blocking call that
 * would stall every connection on the loop while a name server is slow.
 */
public final class EndpointResolver {
  private EndpointResolver() {}

  /** A resolver group whose resolvers run on the connecting channel's own event loop. */
  @SuppressWarnings("unchecked")
  public static AddressResolverGroup<InetSocketAddress> newGroup(Transport transport) {
    DnsNameResolverBuilder builder = new DnsNameResolverBuilder()
        .datagramChannelType(transport.datagramChannelClass())
        .socketChannelType((Class<? extends SocketChannel>) transport.socketChannelClass())
        .nameServerProvider(DnsServerAddressStreamProviders.platformDefault())
        .resolveCache(new DefaultDnsCache())
        .cnameCache(new DefaultDnsCnameCache());
    return new DnsAddressResolverGroup(builder);
  }
}
