package dev.spillway.server.config;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BackendTlsConfig;
import dev.spillway.core.config.ClientAuth;
import dev.spillway.core.config.ServerTlsConfig;
import dev.spillway.core.tls.ServerTls;
import dev.spillway.core.tls.TlsFileException;
import dev.spillway.core.upstream.UpstreamTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Binds {@code server.tls} and {@code backends.<name>.tls}. File paths are resolved against the config file's
 * directory, and the files are read once here, so a missing file, a bad PEM or a key that does not match its
 * certificate is a config error with its key and line rather than a failed start.
 */
final class TlsBinder {
  static final List<String> SERVER_KEYS = List.of("certificate", "key", "clientCa", "clientAuth", "protocols",
      "ciphers", "reloadInterval");
  static final List<String> BACKEND_KEYS = List.of("caFile", "insecureSkipVerify", "clientCertificate",
      "clientKey", "serverName");

  private TlsBinder() {}

  /** {@code server.tls}: {@code null} when absent or (reported) broken. */
  static ServerTlsConfig server(MappingReader server, Path baseDir) {
    if (!server.has("tls")) {
      return null;
    }
    MappingReader tls = server.mapping("tls");
    if (tls == null) {
      return null;
    }
    int errorsBefore = tls.problems().count();
    tls.rejectUnknownKeys(SERVER_KEYS);
    Path certificate = file(tls, "certificate", baseDir, true);
    Path key = file(tls, "key", baseDir, true);
    Path clientCa = file(tls, "clientCa", baseDir, false);
    ClientAuth clientAuth = tls.enumValue("clientAuth", ClientAuth.class, "a client auth mode (none, optional, "
        + "require)", ClientAuth.NONE);
    List<String> protocols = tls.list("protocols", "a TLS version", s -> s);
    List<String> ciphers = tls.list("ciphers", "a cipher suite name", s -> s);
    Duration reload = tls.duration("reloadInterval", ServerTlsConfig.DEFAULT_RELOAD_INTERVAL);
    if (tls.problems().count() > errorsBefore || protocols == null || ciphers == null) {
      return null;
    }
    List<String> checkedProtocols = protocols.isEmpty() ? ServerTlsConfig.DEFAULT_PROTOCOLS : protocols;
    ServerTlsConfig config = tls.construct(() -> new ServerTlsConfig(certificate, key, clientCa, clientAuth,
        checkedProtocols, ciphers, reload));
    if (config == null) {
      return null;
    }
    try {
      ServerTls.load(config, Duration.ofSeconds(10)).close();
    } catch (TlsFileException e) {
      report(tls, e, Map.of(certificate, "certificate", key, "key"), clientCa);
      return null;
    } catch (IllegalArgumentException e) {
      tls.problems().add(tls.path(), tls.problems().lineOf(tls.path()), e.getMessage());
      return null;
    }
    return config;
  }

  /** {@code backends.<name>.tls}: the defaults when absent, {@code null} when (reported) broken. */
  static BackendTlsConfig backend(MappingReader backend, Path baseDir) {
    if (!backend.has("tls")) {
      return BackendTlsConfig.DEFAULTS;
    }
    MappingReader tls = backend.mapping("tls");
    if (tls == null) {
      return null;
    }
    int errorsBefore = tls.problems().count();
    tls.rejectUnknownKeys(BACKEND_KEYS);
    Path caFile = file(tls, "caFile", baseDir, false);
    boolean insecure = tls.bool("insecureSkipVerify", false);
    Path clientCertificate = file(tls, "clientCertificate", baseDir, false);
    Path clientKey = file(tls, "clientKey", baseDir, false);
    String serverName = tls.string("serverName", null);
    if (tls.problems().count() > errorsBefore) {
      return null;
    }
    return tls.construct(() -> new BackendTlsConfig(caFile, insecure, clientCertificate, clientKey, serverName));
  }

  /** Reads the files of a bound backend's TLS once, reporting one that cannot be used under its key. */
  static boolean checkBackendFiles(MappingReader backend, BackendConfig config) {
    try {
      UpstreamTls.check(config);
      return true;
    } catch (TlsFileException e) {
      MappingReader tls = backend.mapping("tls");
      BackendTlsConfig t = config.tls();
      Map<Path, String> keys = new java.util.HashMap<>();
      if (t.caFile() != null) {
        keys.put(t.caFile(), "caFile");
      }
      if (t.clientCertificate() != null) {
        keys.put(t.clientCertificate(), "clientCertificate");
        keys.put(t.clientKey(), "clientKey");
      }
      report(tls == null ? backend : tls, e, keys, null);
      return false;
    }
  }

  private static void report(MappingReader tls, TlsFileException e, Map<Path, String> keys, Path clientCa) {
    String key = e.file().equals(clientCa) ? "clientCa" : keys.get(e.file());
    String path = key == null ? tls.path() : tls.childPath(key);
    int line = tls.problems().lineOf(path);
    tls.problems().add(path, line > 0 ? line : tls.problems().lineOf(tls.path()), e.getMessage());
  }

  /** A file path under {@code key}, resolved and checked to be a readable file; {@code null} if absent. */
  private static Path file(MappingReader tls, String key, Path baseDir, boolean required) {
    if (!tls.has(key)) {
      if (required) {
        tls.missing(key, "a PEM file path");
      }
      return null;
    }
    String text = tls.string(key, null);
    if (text == null) {
      return null;
    }
    Path file = baseDir == null ? Path.of(text) : baseDir.resolve(text);
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      tls.problems().add(tls.childPath(key), tls.problems().lineOf(tls.childPath(key)),
          "\"" + file + "\" is not a readable file");
      return null;
    }
    return file;
  }
}
