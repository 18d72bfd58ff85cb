package dev.spillway.server.status;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders the status JSON documents (the admin {@code /status}, {@code /incidents} and charts, the public
 * page's API) to bytes, and writes the per-second number arrays they share: one place, so every document
 * rounds and marks missing seconds the same way.
 */
public final class JsonBytes {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonBytes() {}

  /** Writes one document with a {@link JsonGenerator}. */
  @FunctionalInterface
  public interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  /** The document {@code writer} writes, as UTF-8 bytes. */
  public static byte[] render(Writer writer) {
    return render(4096, writer);
  }

  /** As above, starting from a buffer of {@code initialBytes} (large documents grow it less often). */
  public static byte[] render(int initialBytes, Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(initialBytes);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code field}: an array of whole numbers. */
  public static void longs(JsonGenerator g, String field, long[] values) throws IOException {
    g.writeArrayFieldStart(field);
    for (long v : values) {
      g.writeNumber(v);
    }
    g.writeEndArray();
  }

  /** {@code field}: an array rounded to two decimals; NaN (no data that second) becomes {@code null}. */
  public static void doubles(JsonGenerator g, String field, double[] values) throws IOException {
    g.writeArrayFieldStart(field);
    for (double v : values) {
      if (Double.isNaN(v)) {
        g.writeNull();
      } else {
        g.writeNumber(Math.round(v * 100) / 100.0);
      }
    }
    g.writeEndArray();
  }
}
