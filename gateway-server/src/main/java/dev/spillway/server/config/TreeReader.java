package dev.spillway.server.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML or JSON text with Jackson's streaming parser into a {@link ConfigNode} tree that keeps the line
 * of every key and value. Syntax errors and duplicate keys become {@link ConfigError}s.
 */
final class TreeReader {
  /** The two accepted syntaxes; JSON gets its own parser so its syntax errors are reported precisely. */
  enum Syntax { YAML, JSON }

  // YAML says "key:" with nothing after it is null; without this feature Jackson reads it as "".
  private static final YAMLFactory YAML =
      YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
  private static final JsonFactory JSON =
      JsonFactory.builder().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

  private final JsonParser parser;
  private final Problems problems;

  private TreeReader(JsonParser parser, Problems problems) {
    this.parser = parser;
    this.problems = problems;
  }

  /**
   * Parses {@code text}. Returns the root, an empty mapping for an empty document, or {@code null} after
   * reporting a syntax error.
   */
  static ConfigNode read(String text, Syntax syntax, Problems problems) {
    JsonFactory factory = syntax == Syntax.JSON ? JSON : YAML;
    try (JsonParser parser = factory.createParser(text)) {
      if (parser.nextToken() == null) {
        return ConfigNode.Mapping.EMPTY;
      }
      ConfigNode root = new TreeReader(parser, problems).value("");
      if (parser.nextToken() != null) {
        problems.add("", line(parser), syntax == Syntax.YAML
            ? "a second YAML document (expected: one document per file)"
            : "more content after the top-level value (expected: one JSON object)");
      }
      return root;
    } catch (StreamReadException e) {
      problems.add("", syntaxErrorLine(e), syntaxErrorMessage(syntax, e));
      return null;
    } catch (IOException e) {
      // The source is an in-memory string, so any other I/O failure is a bug, not a config problem.
      throw new UncheckedIOException(e);
    }
  }

  private ConfigNode value(String path) throws IOException {
    int line = line(parser);
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT: return mapping(path, line);
      case START_ARRAY: return sequence(path, line);
      case VALUE_NUMBER_INT:
        // The parsed number, not the text: YAML also writes integers as 1_000 or 0x10.
        return new ConfigNode.Scalar(ConfigNode.ScalarType.INTEGER, parser.getNumberValue().toString(), line);
      case VALUE_NUMBER_FLOAT: return scalar(ConfigNode.ScalarType.DECIMAL, line);
      case VALUE_TRUE: case VALUE_FALSE: return scalar(ConfigNode.ScalarType.BOOLEAN, line);
      case VALUE_NULL: return scalar(ConfigNode.ScalarType.NULL, line);
      default: return scalar(ConfigNode.ScalarType.STRING, line);
    }
  }

  private ConfigNode.Scalar scalar(ConfigNode.ScalarType type, int line) throws IOException {
    return new ConfigNode.Scalar(type, parser.getText(), line);
  }

  private ConfigNode mapping(String path, int line) throws IOException {
    Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      int keyLine = line(parser);
      String childPath = path.isEmpty() ? key : path + "." + key;
      parser.nextToken();
      ConfigNode child = value(childPath);
      ConfigNode.Entry first = entries.get(key);
      if (first != null) {
        // YAML and JSON both let the last duplicate win silently; an operator almost never means that.
        problems.add(childPath, keyLine, "duplicate key (expected: each key once; first at line "
            + first.keyLine() + ")");
      } else {
        entries.put(key, new ConfigNode.Entry(key, keyLine, child));
      }
    }
    return new ConfigNode.Mapping(entries, line);
  }

  private ConfigNode sequence(String path, int line) throws IOException {
    List<ConfigNode> items = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(value(path + "[" + items.size() + "]"));
    }
    return new ConfigNode.Sequence(items, line);
  }

  private static int line(JsonParser parser) {
    return Math.max(parser.currentTokenLocation().getLineNr(), 0);
  }

  // SnakeYAML's own exception names the problem and its mark; Jackson's wrapper message repeats both with
  // a source excerpt, which reads badly inside a one-line error.
  private static MarkedYAMLException yamlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException) {
        return (MarkedYAMLException) t;
      }
    }
    return null;
  }

  private static int syntaxErrorLine(StreamReadException e) {
    MarkedYAMLException yaml = yamlCause(e);
    if (yaml != null && yaml.getProblemMark() != null) {
      return yaml.getProblemMark().getLine() + 1;
    }
    return e.getLocation() == null ? 0 : Math.max(e.getLocation().getLineNr(), 0);
  }

  private static String syntaxErrorMessage(Syntax syntax, StreamReadException e) {
    MarkedYAMLException yaml = yamlCause(e);
    if (yaml == null) {
      return syntax + " syntax error: " + firstLine(e.getOriginalMessage());
    }
    StringBuilder sb = new StringBuilder("YAML syntax error: ").append(firstLine(yaml.getProblem()));
    List<String> notes = new ArrayList<>();
    Mark contextMark = yaml.getContextMark();
    if (yaml.getContext() != null && contextMark != null) {
      notes.add(yaml.getContext() + " started at line " + (contextMark.getLine() + 1));
    }
    // SnakeYAML's wording for a mis-indented key is opaque to most readers.
    if (yaml.getProblem() != null && yaml.getProblem().contains("<block end>")) {
      notes.add("check the indentation");
    }
    if (!notes.isEmpty()) {
      sb.append(" (").append(String.join("; ", notes)).append(')');
    }
    return sb.toString();
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unreadable input";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
