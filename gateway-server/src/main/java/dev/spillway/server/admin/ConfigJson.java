package dev.spillway.server.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.spillway.core.config.Durations;
import dev.spillway.core.config.ProviderConfig;
import dev.spillway.server.config.LoadedConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * What {@code /config} shows: the config file written back ({@link LoadedConfig#source()}), or, for a config
 * built in code, the effective config with secrets taken out: the admin token only as
 * whether one is set, tenants' key hashes only as counts, webhook URLs only as their hosts, the headers a
 * backend sets (its provider key) only by name.
 */
final class ConfigJson {
  private ConfigJson() {}

  /**
   * The file the gateway was started from, as JSON {@code spillway validate} accepts (secrets redacted, see
   * {@link dev.spillway.server.config.ConfigSource}); for a config built in code, the effective values.
   */
  static byte[] render(LoadedConfig config) {
    return render(config, null);
  }

  /**
   * As above; a config built in code also shows {@code reload} (which config runs, since when, the last reload
   * attempts) under {@code reload}. A file's config stays exactly what {@code validate} accepts: its reload
   * state is served apart, by {@code GET /config/reload}.
   */
  static byte[] render(LoadedConfig config, Object reload) {
    if (config.source() != null) {
      return config.source().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return effective(config, reload);
  }

  /** Every effective value (defaults included) of a config that did not come from a file. */
  static byte[] effective(LoadedConfig config, Object reload) {
    ObjectMapper mapper = new ObjectMapper()
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .registerModule(new SimpleModule()
            .addSerializer(Duration.class, new ToString<>(Duration.class, Durations::format))
            .addSerializer(URI.class, new ToString<>(URI.class, u -> u.getScheme() + "://" + u.getHost()
                + "/(redacted)"))
            .addSerializer(ProviderConfig.class, new ProviderSerializer()));
    ObjectNode root = mapper.createObjectNode();
    ObjectNode gateway = mapper.valueToTree(config.gateway());
    if (gateway.get("limiterStore") instanceof ObjectNode store) {
      // The Redis password, and any written into the uri, never leave the process.
      store.remove("password");
      store.put("passwordSet", config.gateway().limiterStore().password() != null);
      String uri = config.gateway().limiterStore().uri();
      if (uri != null && uri.indexOf('@') > 0) {
        store.put("uri", uri.substring(0, uri.indexOf("://") + 3) + "(redacted)@" + uri.substring(uri.lastIndexOf('@') + 1));
      }
    }
    root.set("gateway", gateway);
    ObjectNode admin = mapper.valueToTree(config.admin());
    admin.remove("token");
    admin.put("tokenSet", config.admin().token() != null);
    root.set("admin", admin);
    root.set("status", mapper.valueToTree(config.status()));
    root.set("alerts", mapper.valueToTree(config.alerts()));
    root.set("accessLog", mapper.valueToTree(config.accessLog()));
    redactKeyHashes(root);
    if (reload != null) {
      root.set("reload", mapper.valueToTree(reload));
    }
    try {
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render the config", e);
    }
  }

  /** {@code state} (which config runs, since when, the last reload attempts) as JSON, or null without one. */
  static byte[] reloadState(Object state) {
    if (state == null) {
      return null;
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(state);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render the reload state", e);
    }
  }

  /**
   * The status page's short line about the running config: its source, hash (first 12 characters), since
   * when, and the last failed reload (when, result, how many errors), or {@code null} without a state.
   */
  static ObjectNode statusLine(Object state) {
    if (state == null) {
      return null;
    }
    ObjectNode full = new ObjectMapper().valueToTree(state);
    ObjectNode line = full.objectNode();
    line.set("source", full.get("source"));
    String sha = full.path("sha256").asText("");
    line.put("sha256", sha.length() > 12 ? sha.substring(0, 12) : sha);
    line.set("since", full.get("since"));
    JsonNode failure = full.get("lastFailure");
    if (failure != null && !failure.isNull()) {
      ObjectNode f = line.putObject("lastFailedReload");
      f.set("at", failure.get("at"));
      f.set("result", failure.get("result"));
      f.put("errors", failure.path("errors").size());
    }
    return line;
  }

  /** {@code json} (an object) with {@code line} added as {@code config}, inside {@code under} when given. */
  static byte[] withLine(byte[] json, ObjectNode line, String under) {
    if (line == null) {
      return json;
    }
    try {
      ObjectMapper mapper = new ObjectMapper();
      JsonNode root = mapper.readTree(json);
      JsonNode target = under == null ? root : root.get(under);
      if (!(target instanceof ObjectNode object)) {
        return json;
      }
      object.set("config", line);
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      return json;
    }
  }

  /** Replaces every {@code keyHashes} list with its size, wherever it appears. */
  private static void redactKeyHashes(JsonNode node) {
    if (node instanceof ObjectNode object) {
      JsonNode hashes = object.remove("keyHashes");
      if (hashes != null) {
        object.put("keyCount", hashes.size());
      }
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        redactKeyHashes(field.getValue());
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(ConfigJson::redactKeyHashes);
    }
  }

  /** A backend's provider settings with every header value it sets masked. */
  private static final class ProviderSerializer extends StdSerializer<ProviderConfig> {
    ProviderSerializer() {
      super(ProviderConfig.class);
    }

    @Override
    public void serialize(ProviderConfig value, JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeStartObject();
      g.writeObjectFieldStart("setHeaders");
      for (String name : value.setHeaders().keySet()) {
        g.writeStringField(name, "(redacted)");
      }
      g.writeEndObject();
      g.writeArrayFieldStart("removeHeaders");
      for (String name : value.removeHeaders()) {
        g.writeString(name);
      }
      g.writeEndArray();
      g.writeBooleanField("removeClientKey", value.removeClientKey());
      g.writeStringField("pathPrefix", value.pathPrefix());
      g.writeStringField("path", value.path());
      g.writeEndObject();
    }
  }

  private static final class ToString<T> extends StdSerializer<T> {
    private final java.util.function.Function<T, String> format;

    ToString(Class<T> type, java.util.function.Function<T, String> format) {
      super(type);
      this.format = format;
    }

    @Override
    public void serialize(T value, JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeString(format.apply(value));
    }
  }
}
