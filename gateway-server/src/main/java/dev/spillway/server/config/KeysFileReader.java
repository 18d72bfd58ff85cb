package dev.spillway.server.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads {@code keysFile}: a YAML or JSON file whose top level is a list of tenants shaped like the entries of
 * {@code tenants}, so keys can live apart from the main config (with other permissions, or generated). A
 * relative path is resolved against the directory of the config file. Errors inside it are reported under
 * the file name as written, with lines of that file: {@code tenants.yaml[2].tier: ... (line 7)}.
 */
final class KeysFileReader {
  static final String KEY = "keysFile";

  private KeysFileReader() {}

  /** Binds the tenants of the file named by {@code keysFile} (if set) into {@code out}. */
  static void read(MappingReader root, Path baseDir, List<TenantBinder.Bound> out) {
    String name = root.string(KEY, null);
    if (name == null) {
      return;
    }
    Problems problems = root.problems();
    int line = problems.lineOf(KEY);
    Path file;
    try {
      file = baseDir.resolve(name);
    } catch (InvalidPathException e) {
      problems.add(KEY, line, "\"" + name + "\" is not a file path (expected: the path of a YAML or JSON file)");
      return;
    }
    String text = ConfigLoader.readText(file, problems, KEY, line);
    if (text == null) {
      return;
    }
    Problems fileProblems = problems.child(name);
    ConfigNode tree = TreeReader.read(text, ConfigLoader.syntaxOf(text, name), fileProblems);
    if (tree == null || tree == ConfigNode.Mapping.EMPTY) {
      // A syntax error (reported) or an empty file, which simply holds no tenants yet.
      return;
    }
    fileProblems.root(tree);
    if (!(tree instanceof ConfigNode.Sequence)) {
      fileProblems.add("", tree.line(), "the top level is " + tree.describe() + " (expected: a list of tenants, "
          + "each with " + String.join(", ", TenantBinder.KEYS) + ")");
      return;
    }
    TenantBinder.bindAll((ConfigNode.Sequence) tree, "", fileProblems, root.env(), out);
  }
}
