package dev.spillway.core.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a route counts the tokens of a request's prompt text before forwarding it (the completion budget and
 * token ids are counted the same way whatever this says).
 */
public enum Tokenizer {
  /**
   * The model's own BPE encoding when the request's {@code model} names one the gateway knows (see
   * docs/providers.md, "Token counts"), {@code chars} otherwise.
   */
  AUTO("auto"),
  /** Characters divided by {@code charsPerToken}, whatever the model. */
  CHARS("chars"),
  /** OpenAI's {@code o200k_base} for every request: gpt-4o, gpt-4.1, gpt-5 and the o-series. */
  O200K_BASE("o200k_base"),
  /** OpenAI's {@code cl100k_base} for every request: gpt-4, gpt-3.5-turbo, text-embedding-3. */
  CL100K_BASE("cl100k_base");

  private final String configName;

  Tokenizer(String configName) {
    this.configName = configName;
  }

  /** The spelling in the configuration file. */
  public String configName() {
    return configName;
  }

  /** The tokenizer spelled {@code name}, or a {@link ConfigException} for {@code key} listing the choices. */
  public static Tokenizer parse(String key, String name) {
    for (Tokenizer t : values()) {
      if (t.configName.equals(name)) {
        return t;
      }
    }
    throw new ConfigException(key, "\"" + name + "\" (expected one of: "
        + Arrays.stream(values()).map(Tokenizer::configName).collect(Collectors.joining(", ")) + ")");
  }
}
