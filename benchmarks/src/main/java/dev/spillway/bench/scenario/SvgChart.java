package dev.spillway.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small self-contained SVG chart: lines over a numeric x axis, or grouped bars over categories, with a
 * title, axes, ticks, axis labels and a legend. No libraries, no scripts, no external fonts; the output is
 * a well-formed standalone XML document that renders on GitHub. {@code NaN} values are left out (a gap in
 * a line, no bar).
 */
public final class SvgChart {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  private static final int WIDTH = 760;
  private static final int HEIGHT = 420;
  private static final int LEFT = 80;
  private static final int RIGHT = 190;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;

  private record Series(String name, double[] xs, double[] ys) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<String> categories;
  private final List<Series> series = new ArrayList<>();

  private SvgChart(String title, String xLabel, String yLabel, List<String> categories) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.categories = categories;
  }

  /** A line chart. */
  public static SvgChart lines(String title, String xLabel, String yLabel) {
    return new SvgChart(title, xLabel, yLabel, null);
  }

  /** A grouped bar chart, one group per category. */
  public static SvgChart bars(String title, String yLabel, List<String> categories) {
    return new SvgChart(title, "", yLabel, List.copyOf(categories));
  }

  /** Adds a line (x and y of the same length). */
  public SvgChart line(String name, double[] xs, double[] ys) {
    if (categories != null || xs.length != ys.length) {
      throw new IllegalArgumentException("line " + name + ": " + xs.length + " x, " + ys.length
          + " y (expected: a line chart and as many x as y)");
    }
    series.add(new Series(name, xs.clone(), ys.clone()));
    return this;
  }

  /** Adds one bar per category. */
  public SvgChart bar(String name, double[] values) {
    if (categories == null || values.length != categories.size()) {
      throw new IllegalArgumentException("bar " + name + ": " + values.length + " values (expected: a bar chart and "
          + (categories == null ? 0 : categories.size()) + ")");
    }
    series.add(new Series(name, null, values.clone()));
    return this;
  }

  /** The chart as an SVG document. */
  public String render() {
    double xMin = 0;
    double xMax = 1;
    double yMax = 0;
    boolean first = true;
    for (Series s : series) {
      for (int i = 0; i < s.ys.length; i++) {
        if (Double.isNaN(s.ys[i])) {
          continue;
        }
        yMax = Math.max(yMax, s.ys[i]);
        if (s.xs != null) {
          xMin = first ? s.xs[i] : Math.min(xMin, s.xs[i]);
          xMax = first ? s.xs[i] : Math.max(xMax, s.xs[i]);
          first = false;
        }
      }
    }
    if (xMax <= xMin) {
      xMax = xMin + 1;
    }
    double yStep = Ticks.step(yMax <= 0 ? 1 : yMax, 5);
    double yTop = Math.ceil((yMax <= 0 ? 1 : yMax) / yStep) * yStep;
    Plot plot = new Plot(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM, xMin, xMax, yTop);

    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, HEIGHT));
    text(sb, WIDTH / 2.0, 24, "middle", "font-size=\"16\" font-weight=\"bold\"", title);
    yAxis(sb, plot, yStep);
    if (categories == null) {
      xAxisNumeric(sb, plot);
      drawLines(sb, plot);
    } else {
      drawBars(sb, plot);
    }
    sb.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
        + "stroke=\"black\"/>\n", plot.left, plot.bottom(), plot.right(), plot.bottom()));
    sb.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
        + "stroke=\"black\"/>\n", plot.left, plot.top, plot.left, plot.bottom()));
    text(sb, plot.left + plot.width / 2.0, HEIGHT - 14, "middle", "class=\"x-label\"", xLabel);
    sb.append(String.format(Locale.ROOT, "<text class=\"y-label\" x=\"18\" y=\"%.1f\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 18 %.1f)\">%s</text>\n", plot.top + plot.height / 2.0,
        plot.top + plot.height / 2.0, escape(yLabel)));
    legend(sb, plot);
    sb.append("</svg>\n");
    return sb.toString();
  }

  private void yAxis(StringBuilder sb, Plot plot, double step) {
    for (double v = 0; v <= plot.yTop + step / 2; v += step) {
      double y = plot.y(v);
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
          plot.left, y, plot.right(), y));
      text(sb, plot.left - 6, y + 4, "end", "class=\"tick\"", Ticks.format(v));
    }
  }

  private void xAxisNumeric(StringBuilder sb, Plot plot) {
    double step = Ticks.step(plot.xMax - plot.xMin, 8);
    for (double v = Math.ceil(plot.xMin / step) * step; v <= plot.xMax + step / 1000; v += step) {
      double x = plot.x(v);
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n",
          x, plot.bottom(), x, plot.bottom() + 5));
      text(sb, x, plot.bottom() + 18, "middle", "class=\"tick\"", Ticks.format(v));
    }
  }

  private void drawLines(StringBuilder sb, Plot plot) {
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      String color = COLORS[k % COLORS.length];
      StringBuilder points = new StringBuilder();
      for (int i = 0; i <= s.ys.length; i++) {
        if (i == s.ys.length || Double.isNaN(s.ys[i])) {
          if (points.length() > 0) {
            sb.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color).append("\" points=\"")
                .append(points.toString().trim()).append("\"/>\n");
            points.setLength(0);
          }
          continue;
        }
        double x = plot.x(s.xs[i]);
        double y = plot.y(s.ys[i]);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, color));
      }
    }
  }

  private void drawBars(StringBuilder sb, Plot plot) {
    double group = plot.width / (double) categories.size();
    double barWidth = group * 0.8 / Math.max(1, series.size());
    for (int c = 0; c < categories.size(); c++) {
      double groupLeft = plot.left + c * group + group * 0.1;
      for (int k = 0; k < series.size(); k++) {
        double v = series.get(k).ys[c];
        if (Double.isNaN(v)) {
          continue;
        }
        double y = plot.y(v);
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            + "fill=\"%s\"/>\n", groupLeft + k * barWidth, y, barWidth, plot.bottom() - y, COLORS[k % COLORS.length]));
      }
      text(sb, plot.left + (c + 0.5) * group, plot.bottom() + 18, "middle", "class=\"tick\"", categories.get(c));
    }
  }

  private void legend(StringBuilder sb, Plot plot) {
    int x = plot.right() + 16;
    for (int k = 0; k < series.size(); k++) {
      int y = plot.top + 10 + k * 20;
      sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
          x, y - 10, COLORS[k % COLORS.length]));
      text(sb, x + 18, y, "start", "class=\"legend\"", series.get(k).name);
    }
  }

  private static void text(StringBuilder sb, double x, double y, String anchor, String attrs, String s) {
    sb.append(String.format(Locale.ROOT, "<text %s x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
        attrs, x, y, anchor, escape(s)));
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** The plotting area and its scales. */
  private record Plot(int left, int top, int width, int height, double xMin, double xMax, double yTop) {
    int right() {
      return left + width;
    }

    int bottom() {
      return top + height;
    }

    double x(double v) {
      return left + (v - xMin) / (xMax - xMin) * width;
    }

    double y(double v) {
      return top + height - v / yTop * height;
    }
  }
}
