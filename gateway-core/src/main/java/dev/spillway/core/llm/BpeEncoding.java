package dev.spillway.core.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.spillway.core.config.Tokenizer;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI BPE encoding (jtokkit's implementation of tiktoken's), and which models use it.
 *
 * <p>The model table matches a request's {@code model} by family: the family name itself, or the name followed
 * by {@code -}, {@code .} or {@code :} ({@code gpt-4o-mini}, {@code gpt-5.1}, {@code o3-2025-04-16}), after an
 * optional {@code ft:} (fine-tuned) or {@code openai/} prefix. Families are tried in the table's order, so
 * {@code gpt-4o} and {@code gpt-4.1} are found before {@code gpt-4}. Any other name (Anthropic, open-weight
 * models, Azure deployment names) has no known encoding.
 *
 * <p>Each encoding's merge table (2–4 MB) is loaded once, on first use; {@link #preload} does that on the
 * calling thread, so a route that may count tokens loads it when the gateway starts, not on an event loop.
 */
public enum BpeEncoding {
  O200K_BASE(EncodingType.O200K_BASE),
  CL100K_BASE(EncodingType.CL100K_BASE);

  /** Model families and their encodings, most specific first (tiktoken's own table, by family). */
  static final List<Map.Entry<String, BpeEncoding>> MODEL_FAMILIES = List.of(
      Map.entry("gpt-4o", O200K_BASE),
      Map.entry("chatgpt-4o", O200K_BASE),
      Map.entry("gpt-4.1", O200K_BASE),
      Map.entry("gpt-4.5", O200K_BASE),
      Map.entry("gpt-5", O200K_BASE),
      Map.entry("gpt-oss", O200K_BASE),
      Map.entry("o1", O200K_BASE),
      Map.entry("o3", O200K_BASE),
      Map.entry("o4", O200K_BASE),
      Map.entry("codex-mini", O200K_BASE),
      Map.entry("gpt-4", CL100K_BASE),
      Map.entry("gpt-3.5-turbo", CL100K_BASE),
      Map.entry("gpt-35-turbo", CL100K_BASE),
      Map.entry("text-embedding-3-small", CL100K_BASE),
      Map.entry("text-embedding-3-large", CL100K_BASE),
      Map.entry("text-embedding-ada-002", CL100K_BASE));

  private final EncodingType type;

  BpeEncoding(EncodingType type) {
    this.type = type;
  }

  /** The encoding's tiktoken name, e.g. {@code o200k_base}. */
  public String encodingName() {
    return type.getName();
  }

  /** Tokens of {@code text} as ordinary text (special-token markers such as {@code <|endoftext|>} included). */
  public int count(String text) {
    return encoding().countTokensOrdinary(text);
  }

  /** Loads the merge table now, on this thread. */
  public void preload() {
    encoding();
  }

  /**
   * The encoding a route with {@code tokenizer} uses for a request for {@code model} (which may be null), or
   * null when the prompt is counted in characters.
   */
  public static BpeEncoding resolve(Tokenizer tokenizer, String model) {
    return switch (tokenizer) {
      case CHARS -> null;
      case O200K_BASE -> O200K_BASE;
      case CL100K_BASE -> CL100K_BASE;
      case AUTO -> forModel(model);
    };
  }

  /** The encoding of {@code model}'s family, or null when it is unknown (or {@code model} is null). */
  public static BpeEncoding forModel(String model) {
    if (model == null) {
      return null;
    }
    String name = strip(strip(model, "ft:"), "openai/");
    for (Map.Entry<String, BpeEncoding> family : MODEL_FAMILIES) {
      String prefix = family.getKey();
      if (name.startsWith(prefix)
          && (name.length() == prefix.length() || isSeparator(name.charAt(prefix.length())))) {
        return family.getValue();
      }
    }
    return null;
  }

  private static String strip(String name, String prefix) {
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  private static boolean isSeparator(char c) {
    return c == '-' || c == '.' || c == ':';
  }

  private Encoding encoding() {
    return this == O200K_BASE ? O200k.ENCODING : Cl100k.ENCODING;
  }

  // One holder per encoding: the JVM loads (and keeps) each table the first time it is asked for.
  private static final class O200k {
    static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  }

  private static final class Cl100k {
    static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  }
}
