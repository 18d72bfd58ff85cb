package dev.spillway.core.upstream.engine;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Reads a few named samples out of a Prometheus text exposition (format 0.0.4) as it streams in, without
 * keeping the body: bytes are fed chunk by chunk, one line at a time is held (at most {@value #MAX_LINE} bytes;
 * longer lines are skipped), and each wanted metric's samples are folded into one value as they pass.
 *
 * <p>A sample line is {@code name[{labels}] value [timestamp]}; comments ({@code #}) and blank lines are
 * skipped. Only exact names match ({@code vllm:num_requests_waiting} does not match
 * {@code vllm:num_requests_waiting_by_reason}). Samples of one name under different labels (one per engine
 * core or rank) are summed, or their maximum taken, per metric. {@code NaN} and unparsable values are
 * ignored; a label value may contain spaces, braces and escaped quotes.
 *
 * <p>Not thread-safe; one instance reads one response.
 */
final class PrometheusTextParser implements ByteProcessor {
  /** How a metric's samples under different label sets fold into one value. */
  enum Fold { SUM, MAX }

  static final int MAX_LINE = 4096;

  private final byte[][] names;
  private final Fold[] folds;
  private final double[] values;
  private final boolean[] seen;
  private final byte[] line = new byte[MAX_LINE];
  private int length;
  private boolean overlong;

  /** {@code names[i]} is folded with {@code folds[i]}; an empty name is never matched. */
  PrometheusTextParser(String[] names, Fold[] folds) {
    this.names = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      this.names[i] = names[i].getBytes(US_ASCII);
    }
    this.folds = folds.clone();
    this.values = new double[names.length];
    this.seen = new boolean[names.length];
  }

  /** Reads {@code chunk}'s readable bytes without consuming or releasing it. */
  void feed(ByteBuf chunk) {
    chunk.forEachByte(this);
  }

  /** The body ended: a last line without a newline still counts. */
  void finish() {
    endLine();
  }

  /** The folded value of metric {@code i}, or {@code NaN} if no sample of it was read. */
  double value(int i) {
    return seen[i] ? values[i] : Double.NaN;
  }

  @Override
  public boolean process(byte b) {
    if (b == '\n') {
      endLine();
    } else if (length < MAX_LINE) {
      line[length++] = b;
    } else {
      overlong = true;
    }
    return true;
  }

  private void endLine() {
    if (!overlong && length > 0) {
      parseLine();
    }
    length = 0;
    overlong = false;
  }

  private void parseLine() {
    int end = length;
    if (line[end - 1] == '\r') {
      end--;
    }
    int pos = skipBlanks(0, end);
    if (pos >= end || line[pos] == '#') {
      return;
    }
    int nameStart = pos;
    while (pos < end && line[pos] != '{' && line[pos] != ' ' && line[pos] != '\t') {
      pos++;
    }
    int metric = match(nameStart, pos);
    if (metric < 0) {
      return;
    }
    if (pos < end && line[pos] == '{') {
      pos = skipLabels(pos + 1, end);
      if (pos < 0) {
        return;
      }
    }
    pos = skipBlanks(pos, end);
    int valueStart = pos;
    while (pos < end && line[pos] != ' ' && line[pos] != '\t') {
      pos++;
    }
    double v = parseValue(valueStart, pos);
    if (Double.isNaN(v)) {
      return;
    }
    if (!seen[metric]) {
      values[metric] = v;
      seen[metric] = true;
    } else if (folds[metric] == Fold.SUM) {
      values[metric] += v;
    } else {
      values[metric] = Math.max(values[metric], v);
    }
  }

  private int match(int start, int end) {
    int n = end - start;
    for (int i = 0; i < names.length; i++) {
      byte[] name = names[i];
      if (name.length != n || n == 0) {
        continue;
      }
      int k = 0;
      while (k < n && name[k] == line[start + k]) {
        k++;
      }
      if (k == n) {
        return i;
      }
    }
    return -1;
  }

  /** The index after the closing brace, or -1 if the label set never closes. */
  private int skipLabels(int pos, int end) {
    boolean quoted = false;
    while (pos < end) {
      byte b = line[pos++];
      if (quoted) {
        if (b == '\\') {
          pos++; // the escaped character, a quote included
        } else if (b == '"') {
          quoted = false;
        }
      } else if (b == '"') {
        quoted = true;
      } else if (b == '}') {
        return pos;
      }
    }
    return -1;
  }

  private int skipBlanks(int pos, int end) {
    while (pos < end && (line[pos] == ' ' || line[pos] == '\t')) {
      pos++;
    }
    return pos;
  }

  private double parseValue(int start, int end) {
    if (start >= end) {
      return Double.NaN;
    }
    String text = new String(line, start, end - start, US_ASCII);
    switch (text) {
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
    }
  }
}
