package dev.spillway.bench.scenario;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Markdown page of one scenario, {@code <out>/<name>.md}, with its SVG charts beside it
 * ({@code <out>/<name>-<chart>.svg}, linked from the page). Everything is also echoed to stdout.
 */
public final class Report {
  private final String name;
  private final Path outDir;
  private final StringBuilder md = new StringBuilder();

  public Report(String name, Path outDir) {
    this.name = name;
    this.outDir = outDir;
  }

  /** A heading of the given level (1 = {@code #}). */
  public Report heading(int level, String text) {
    md.append("#".repeat(level)).append(' ').append(text).append("\n\n");
    return this;
  }

  /** A paragraph (or any Markdown block). */
  public Report text(String markdown) {
    md.append(markdown.strip()).append("\n\n");
    return this;
  }

  public Report table(MarkdownTable table) {
    md.append(table.render()).append('\n');
    return this;
  }

  /** Writes the chart to {@code <name>-<suffix>.svg} and links it. */
  public Report chart(String suffix, String alt, SvgChart chart) {
    String file = name + "-" + suffix + ".svg";
    write(outDir.resolve(file), chart.render());
    md.append("![").append(alt).append("](").append(file).append(")\n\n");
    return this;
  }

  public String markdown() {
    return md.toString();
  }

  /** Writes the page and prints it. */
  public Path write() {
    Path file = outDir.resolve(name + ".md");
    write(file, md.toString());
    System.out.println(md);
    System.out.println("(written to " + file + ")");
    return file;
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
