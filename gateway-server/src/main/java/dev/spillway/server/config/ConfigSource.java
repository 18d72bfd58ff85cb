package dev.spillway.server.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A config file written back as JSON that {@code spillway validate} accepts and that loads into an equal config:
 * the keys and values as the file wrote them (defaults stay implicit), with {@code ${VAR}} references kept as
 * written, since the secret lives in the environment, and literal secrets (and the defaults of references in
 * secret places, {@code ${VAR:default}}) replaced by placeholders the loader still accepts:
 *
 * <ul>
 *   <li>{@code admin.token}, a {@code password}, {@code secret} or {@code token} anywhere, and the values
 *       a backend's {@code requestHeaders.set} sends: {@code <redacted>};</li>
 *   <li>tenants' API {@code keys}: {@code <redacted-1>}, {@code <redacted-2>}, ... (distinct, as keys must
 *       be);</li>
 *   <li>webhook URLs: scheme and host, then {@code /redacted};</li>
 *   <li>the password in {@code limiterStore.uri}'s user info: {@code redacted}.</li>
 * </ul>
 */
public final class ConfigSource {
  static final String REDACTED = "<redacted>";
  private static final Set<String> SECRET_KEYS = Set.of("token", "password", "secret");
  private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
  private static final JsonFactory JSON = new JsonFactory();
  /** {@code ${NAME:default}}: the default is what gets redacted. */
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):([^}]*)\\}");

  private final JsonGenerator g;
  private int keyNumber;

  private ConfigSource(JsonGenerator g) {
    this.g = g;
  }

  /** The JSON text of {@code tree}, secrets redacted. */
  static String render(ConfigNode tree) {
    StringWriter out = new StringWriter(4096);
    try (JsonGenerator g = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
      new ConfigSource(g).write(tree, "", Kind.PLAIN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append('\n').toString();
  }

  private enum Kind { PLAIN, SECRET, API_KEY, URL, URI_CREDENTIALS }

  private void write(ConfigNode node, String path, Kind kind) throws IOException {
    if (node instanceof ConfigNode.Mapping m) {
      g.writeStartObject();
      for (Map.Entry<String, ConfigNode.Entry> e : m.entries().entrySet()) {
        g.writeFieldName(e.getKey());
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        write(e.getValue().value(), child, kindOf(child, e.getKey(), kind));
      }
      g.writeEndObject();
    } else if (node instanceof ConfigNode.Sequence s) {
      g.writeStartArray();
      for (ConfigNode item : s.items()) {
        write(item, path + "[]", kind);
      }
      g.writeEndArray();
    } else {
      scalar((ConfigNode.Scalar) node, kind);
    }
  }

  /** What a key's value is, from its name and place (a secret's children stay secret). */
  private static Kind kindOf(String path, String key, Kind parent) {
    if (parent != Kind.PLAIN) {
      return parent;
    }
    if (SECRET_KEYS.contains(key) || path.matches("backends\\.[^.]+\\.requestHeaders\\.set")) {
      return Kind.SECRET;
    }
    if (path.equals("tenants[].keys")) {
      return Kind.API_KEY;
    }
    if (path.equals("alerts.webhooks")) {
      return Kind.URL;
    }
    if (path.equals("limiterStore.uri")) {
      return Kind.URI_CREDENTIALS;
    }
    return Kind.PLAIN;
  }

  private void scalar(ConfigNode.Scalar s, Kind kind) throws IOException {
    String text = s.text();
    if (s.type() == ConfigNode.ScalarType.NULL) {
      g.writeNull();
    } else if (kind != Kind.PLAIN && !text.contains("${")) {
      g.writeString(redacted(kind, text));
    } else if (kind != Kind.PLAIN) {
      // The reference stays; a default after it may be the secret itself, so it is redacted.
      java.util.regex.Matcher m = DEFAULTED.matcher(text);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement("${" + m.group(1) + ":"
            + redacted(kind, m.group(2)) + "}"));
      }
      m.appendTail(sb);
      g.writeString(sb.toString());
    } else if (s.type() == ConfigNode.ScalarType.BOOLEAN) {
      g.writeBoolean(text.equalsIgnoreCase("true"));
    } else if ((s.type() == ConfigNode.ScalarType.INTEGER || s.type() == ConfigNode.ScalarType.DECIMAL)
        && JSON_NUMBER.matcher(text).matches()) {
      g.writeRawValue(text);
    } else {
      g.writeString(text);
    }
  }

  private String redacted(Kind kind, String text) {
    return switch (kind) {
      case API_KEY -> "<redacted-" + (++keyNumber) + ">";
      case URL -> redactedUrl(text);
      case URI_CREDENTIALS -> redactedCredentials(text);
      default -> REDACTED;
    };
  }

  /** A URI with a password in its user info ({@code redis://user:pw@host}) shows it as {@code redacted}. */
  private static String redactedCredentials(String text) {
    int at = text.indexOf('@');
    int scheme = text.indexOf("://");
    if (at < 0 || scheme < 0 || at < scheme) {
      return text;
    }
    String user = text.substring(scheme + 3, at);
    int colon = user.indexOf(':');
    return colon < 0 ? text : text.substring(0, scheme + 3) + user.substring(0, colon + 1) + "redacted"
        + text.substring(at);
  }

  private static String redactedUrl(String text) {
    try {
      URI uri = URI.create(text);
      if (uri.getScheme() != null && uri.getHost() != null) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
            + "/redacted";
      }
    } catch (IllegalArgumentException e) {
      // not a URL: nothing of it is shown
    }
    return REDACTED;
  }
}
