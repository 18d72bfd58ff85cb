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
 * The effective config as {@code /config} shows it, with secrets taken out: the admin token only as
 * whether one is set, tenants' key hashes only as counts, webhook URLs only as their hosts, the headers a
 * backend sets (its provider key) only by name.
 */
final class ConfigJson {
  private ConfigJson() {}

  static byte[] render(LoadedConfig config) {
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
    try {
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render the config", e);
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
