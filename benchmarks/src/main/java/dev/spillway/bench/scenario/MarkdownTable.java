package dev.spillway.bench.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * A GitHub-flavoured Markdown table. Columns whose header starts with {@code >} are right-aligned (the
 * marker is dropped), which suits numbers. Cells containing {@code |} are escaped.
 */
public final class MarkdownTable {
  private final List<String> headers = new ArrayList<>();
  private final List<Boolean> right = new ArrayList<>();
  private final List<List<String>> rows = new ArrayList<>();

  /** A table with these column headers; prefix a header with {@code >} to right-align its column. */
  public MarkdownTable(String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("headers: [] (expected: at least one)");
    }
    for (String h : headers) {
      boolean r = h.startsWith(">");
      right.add(r);
      this.headers.add(r ? h.substring(1) : h);
    }
  }

  /** Adds a row; it must have one cell per column. */
  public MarkdownTable row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + headers.size() + ")");
    }
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(escape(String.valueOf(c)));
    }
    rows.add(row);
    return this;
  }

  public int rowCount() {
    return rows.size();
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  /** The table as Markdown, ending with a newline. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    line(sb, headers);
    sb.append('|');
    for (boolean r : right) {
      sb.append(r ? "---:|" : "---|");
    }
    sb.append('\n');
    for (List<String> row : rows) {
      line(sb, row);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells) {
    sb.append('|');
    for (String c : cells) {
      sb.append(' ').append(c).append(" |");
    }
    sb.append('\n');
  }

  @Override
  public String toString() {
    return render();
  }
}
