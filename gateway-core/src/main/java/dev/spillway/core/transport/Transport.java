package dev.spillway.core.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket implementation: epoll on Linux when its native library loads, NIO everywhere else. Client and
 * backend channels must use the same transport, because backend connections run on the client's event loop.
 */
public enum Transport {
  EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDatagramChannel.class) {
    @Override
    IoHandlerFactory ioHandlerFactory() {
      return EpollIoHandler.newFactory();
    }
  },
  NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class) {
    @Override
    IoHandlerFactory ioHandlerFactory() {
      return NioIoHandler.newFactory();
    }
  };

  private final Class<? extends ServerChannel> serverChannelClass;
  private final Class<? extends Channel> socketChannelClass;
  private final Class<? extends DatagramChannel> datagramChannelClass;

  Transport(Class<? extends ServerChannel> serverChannelClass, Class<? extends Channel> socketChannelClass,
      Class<? extends DatagramChannel> datagramChannelClass) {
    this.serverChannelClass = serverChannelClass;
    this.socketChannelClass = socketChannelClass;
    this.datagramChannelClass = datagramChannelClass;
  }

  abstract IoHandlerFactory ioHandlerFactory();

  /** Epoll when {@code preferNative} and available, otherwise NIO. */
  public static Transport select(boolean preferNative) {
    return preferNative && Epoll.isAvailable() ? EPOLL : NIO;
  }

  public Class<? extends ServerChannel> serverChannelClass() {
    return serverChannelClass;
  }

  public Class<? extends Channel> socketChannelClass() {
    return socketChannelClass;
  }

  /** The UDP channel type, for DNS queries on the same event loops. */
  public Class<? extends DatagramChannel> datagramChannelClass() {
    return datagramChannelClass;
  }

  /** A group of {@code threads} event loops (0 = Netty's default, twice the cores) with named threads. */
  public EventLoopGroup newGroup(int threads, String threadNamePrefix) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadNamePrefix, true),
        ioHandlerFactory());
  }
}
