package dev.spillway.server.config;

import static java.util.Objects.requireNonNull;

import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.OverloadConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Loads a {@link GatewayConfig} from a YAML or JSON file. Every error found is reported with its key path
 * and source line, e.g. {@code server.port: "abc" is not an integer (line 3)}, and binding carries on past
 * an error so one run lists them all.
 *
 * <p>JSON is read with a JSON parser when the source name ends in {@code .json} or the text starts with
 * <code>{</code>, so JSON syntax errors are reported as such; anything else is YAML. Scalar values may refer to
 * environment variables as {@code ${NAME}} or {@code ${NAME:default}}; the overloads taking {@code env} read
 * variables from that function instead of the process environment.
 *
 * <p>See {@code docs/configuration.md} for every key and its default.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * Loads {@code file}, resolving variables from the process environment.
   *
   * @throws ConfigLoadException listing every error, including an unreadable file
   */
  public static GatewayConfig load(Path file) {
    return load(file, System::getenv);
  }

  /** Loads {@code file}, resolving variables with {@code env} (which returns {@code null} for unset). */
  public static GatewayConfig load(Path file, Function<String, String> env) {
    return loadFile(file, env).gateway();
  }

  /**
   * Loads {@code file} with its server-side sections ({@code admin}, {@code status}, {@code alerts},
   * {@code accessLog}), resolving variables from the process environment.
   *
   * @throws ConfigLoadException listing every error, including an unreadable file
   */
  public static LoadedConfig loadFile(Path file) {
    return loadFile(file, System::getenv);
  }

  /** Like {@link #loadFile(Path)}, resolving variables with {@code env} (which returns {@code null} for unset). */
  public static LoadedConfig loadFile(Path file, Function<String, String> env) {
    Problems problems = new Problems();
    LoadedConfig config = load(file, env, problems);
    throwIfAny(file.toString(), problems);
    return config;
  }

  /**
   * Parses config {@code text}, resolving variables from the process environment.
   *
   * @param sourceName names the text in error messages (usually the file name); a {@code .json} suffix
   *     selects JSON
   * @throws ConfigLoadException listing every error
   */
  public static GatewayConfig parse(String text, String sourceName) {
    return parse(text, sourceName, System::getenv);
  }

  /** Parses config {@code text}, resolving variables with {@code env} (which returns {@code null} for unset). */
  public static GatewayConfig parse(String text, String sourceName, Function<String, String> env) {
    return parseFile(text, sourceName, env).gateway();
  }

  /** Like {@link #parse(String, String, Function)}, with the server-side sections too. */
  public static LoadedConfig parseFile(String text, String sourceName, Function<String, String> env) {
    requireNonNull(text, "text");
    requireNonNull(sourceName, "sourceName");
    Problems problems = new Problems();
    // Text has no directory of its own, so a relative keysFile is resolved against the working directory.
    LoadedConfig config = bind(stripBom(text), sourceName, new EnvSubstitution(requireNonNull(env, "env")),
        Path.of(""), problems);
    throwIfAny(sourceName, problems);
    return config;
  }

  /** Checks {@code file} against the process environment; returns every error, or an empty list if valid. */
  public static List<ConfigError> validate(Path file) {
    return validate(file, System::getenv);
  }

  /** Checks {@code file}, resolving variables with {@code env}; returns every error, or an empty list. */
  public static List<ConfigError> validate(Path file, Function<String, String> env) {
    Problems problems = new Problems();
    load(file, env, problems);
    return problems.sorted();
  }

  /**
   * The files a load of {@code file} reads: the file itself, then its {@code keysFile} when it names one. For
   * watching them; a file that cannot be read or parsed yields just itself (the load reports why).
   */
  public static List<Path> sourceFiles(Path file, Function<String, String> env) {
    requireNonNull(file, "file");
    List<Path> out = new java.util.ArrayList<>(List.of(file));
    Problems ignored = new Problems();
    String text = readText(file, ignored, "", 0);
    if (text == null) {
      return out;
    }
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    ConfigNode tree = TreeReader.read(text, syntaxOf(text, name), ignored);
    if (!(tree instanceof ConfigNode.Mapping)) {
      return out;
    }
    ignored.root(tree);
    String keys = GatewayBinder.rootReader(tree, ignored, new EnvSubstitution(requireNonNull(env, "env")))
        .string(KeysFileReader.KEY, null);
    if (keys != null) {
      Path dir = file.toAbsolutePath().getParent();
      try {
        out.add((dir == null ? Path.of("") : dir).resolve(keys));
      } catch (java.nio.file.InvalidPathException e) {
        // Reported by the load itself.
      }
    }
    return out;
  }

  private static LoadedConfig load(Path file, Function<String, String> env, Problems problems) {
    requireNonNull(file, "file");
    requireNonNull(env, "env");
    String text = readText(file, problems, "", 0);
    if (text == null) {
      return null;
    }
    Path dir = file.toAbsolutePath().getParent();
    return bind(text, file.getFileName() == null ? file.toString() : file.getFileName().toString(),
        new EnvSubstitution(env), dir == null ? Path.of("") : dir, problems);
  }

  private static LoadedConfig bind(String text, String sourceName, EnvSubstitution env, Path baseDir,
      Problems problems) {
    ConfigNode tree = TreeReader.read(text, syntaxOf(text, sourceName), problems);
    if (tree == null) {
      return null;
    }
    GatewayConfig config = GatewayBinder.bind(tree, problems, env, baseDir);
    if (!(tree instanceof ConfigNode.Mapping)) {
      return null;
    }
    MonitoringBinder.Sections sections = MonitoringBinder.bind(GatewayBinder.rootReader(tree, problems, env));
    OverloadConfig overload = OverloadBinder.bind(tree, problems, env);
    Integer warmUpRequests = WarmUpBinder.bind(tree, problems, env);
    return problems.count() == 0
        ? new LoadedConfig(config, sections.admin(), sections.status(), sections.alerts(), sections.accessLog())
            .withOverload(overload).withWarmUpRequests(warmUpRequests).withSource(ConfigSource.render(tree))
        : null;
  }

  /**
   * Reads {@code file} as UTF-8 without a byte order mark, or reports why it cannot be read at {@code path}
   * and {@code line} and returns {@code null}.
   */
  static String readText(Path file, Problems problems, String path, int line) {
    try {
      return stripBom(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      problems.add(path, line, "cannot read " + file + ": no such file");
    } catch (CharacterCodingException e) {
      problems.add(path, line, "cannot read " + file + ": not UTF-8 text");
    } catch (IOException e) {
      problems.add(path, line, "cannot read " + file + ": " + e);
    }
    return null;
  }

  /** JSON for a {@code .json} name or text starting with a brace or bracket; YAML otherwise. */
  static TreeReader.Syntax syntaxOf(String text, String sourceName) {
    String start = stripBom(text).stripLeading();
    if (sourceName.toLowerCase(Locale.ROOT).endsWith(".json") || start.startsWith("{") || start.startsWith("[")) {
      return TreeReader.Syntax.JSON;
    }
    return TreeReader.Syntax.YAML;
  }

  private static String stripBom(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static void throwIfAny(String sourceName, Problems problems) {
    if (problems.count() > 0) {
      throw new ConfigLoadException(sourceName, problems.sorted());
    }
  }
}
