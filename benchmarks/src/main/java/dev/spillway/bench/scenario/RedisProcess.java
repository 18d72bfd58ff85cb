package dev.spillway.bench.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code redis-server} (or {@code valkey-server}) a scenario starts on a free port of 127.0.0.1, without
 * persistence, and the few things a scenario asks it: how many commands it has run, from {@code INFO
 * commandstats}, over plain RESP (no {@code redis-cli} needed).
 */
final class RedisProcess implements AutoCloseable {
  private final ChildProcess process;
  private final int port;

  private RedisProcess(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the server; fails with a clear message where none is installed. */
  static RedisProcess start(Path workDir) throws IOException {
    Path binary = Proc.which("redis-server");
    if (binary == null) {
      binary = Proc.which("valkey-server");
    }
    if (binary == null) {
      throw new IOException("no redis-server (or valkey-server) on PATH: apt-get install -y redis-server");
    }
    int port = Proc.freePort();
    List<String> cmd = List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", workDir.toString(), "--protected-mode", "no");
    ChildProcess p = ChildProcess.start("redis", cmd, workDir.resolve("redis-" + port + ".log"))
        .awaitPort(port, 10_000);
    return new RedisProcess(p, port);
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Commands run since the server started, every kind but {@code INFO} (the scenario's own questions). */
  long commands() throws IOException {
    long total = 0;
    for (String line : info("commandstats").split("\r\n")) {
      int i = line.indexOf("calls=");
      if (line.startsWith("cmdstat_") && i >= 0 && !line.startsWith("cmdstat_info")) {
        total += Long.parseLong(line.substring(i + 6, line.indexOf(',', i)));
      }
    }
    return total;
  }

  private String info(String section) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write(("*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder header = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("redis closed the connection");
        }
        header.append((char) c);
      }
      int length = Integer.parseInt(header.substring(1).trim());
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    process.stop();
  }
}
