package dev.spillway.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Tokenizer;
import org.junit.jupiter.api.Test;

/**
 * Counts against reference counts published for OpenAI's tiktoken (its README and the OpenAI cookbook's "How
 * to count tokens with tiktoken"), and the model table.
 */
class BpeEncodingTest {
  @Test
  void countsMatchTiktokensReferenceCountsForCl100k() {
    BpeEncoding cl100k = BpeEncoding.CL100K_BASE;

    assertThat(cl100k.count("hello world")).isEqualTo(2);
    assertThat(cl100k.count("tiktoken is great!")).isEqualTo(6);
    assertThat(cl100k.count("antidisestablishmentarianism")).isEqualTo(6);
    assertThat(cl100k.count("2 + 2 = 4")).isEqualTo(7);
    assertThat(cl100k.count("お誕生日おめでとう")).isEqualTo(9);
    assertThat(cl100k.count("Hello, world! How are you today?")).isEqualTo(9);
    assertThat(cl100k.count("The quick brown fox jumps over the lazy dog.")).isEqualTo(10);
    assertThat(cl100k.count("")).isZero();
  }

  @Test
  void countsMatchTiktokensReferenceCountsForO200k() {
    BpeEncoding o200k = BpeEncoding.O200K_BASE;

    assertThat(o200k.count("hello world")).isEqualTo(2);
    assertThat(o200k.count("antidisestablishmentarianism")).isEqualTo(6);
    assertThat(o200k.count("2 + 2 = 4")).isEqualTo(7);
    assertThat(o200k.count("お誕生日おめでとう")).isEqualTo(8);
  }

  @Test
  void specialTokenMarkersInAPromptAreOrdinaryText() {
    // A client may send the literal text; it must be counted, not thrown at.
    assertThat(BpeEncoding.CL100K_BASE.count("<|endoftext|>")).isGreaterThan(1);
    assertThat(BpeEncoding.O200K_BASE.count("a <|endoftext|> b")).isGreaterThan(3);
  }

  @Test
  void findsTheEncodingOfAModelFamily() {
    assertThat(BpeEncoding.forModel("gpt-4o")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("gpt-4o-mini-2024-07-18")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("gpt-4.1-nano")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("gpt-5")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("gpt-5.1")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("o3-mini")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("o1")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("ft:gpt-4o-mini:acme::abc123")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("openai/gpt-oss-20b")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.forModel("gpt-4")).isEqualTo(BpeEncoding.CL100K_BASE);
    assertThat(BpeEncoding.forModel("gpt-4-turbo")).isEqualTo(BpeEncoding.CL100K_BASE);
    assertThat(BpeEncoding.forModel("gpt-3.5-turbo-0125")).isEqualTo(BpeEncoding.CL100K_BASE);
    assertThat(BpeEncoding.forModel("gpt-35-turbo")).isEqualTo(BpeEncoding.CL100K_BASE);
    assertThat(BpeEncoding.forModel("text-embedding-3-small")).isEqualTo(BpeEncoding.CL100K_BASE);
  }

  @Test
  void knowsNoEncodingForOtherModels() {
    assertThat(BpeEncoding.forModel(null)).isNull();
    assertThat(BpeEncoding.forModel("claude-sonnet-4-5")).isNull();
    assertThat(BpeEncoding.forModel("meta-llama/Llama-3.1-8B-Instruct")).isNull();
    assertThat(BpeEncoding.forModel("o1x")).isNull();
    assertThat(BpeEncoding.forModel("gpt-40")).isNull();
    assertThat(BpeEncoding.forModel("my-gpt-4o-deployment")).isNull();
  }

  @Test
  void aRoutesTokenizerDecides() {
    assertThat(BpeEncoding.resolve(Tokenizer.AUTO, "gpt-4o")).isEqualTo(BpeEncoding.O200K_BASE);
    assertThat(BpeEncoding.resolve(Tokenizer.AUTO, "claude-opus-4")).isNull();
    assertThat(BpeEncoding.resolve(Tokenizer.CHARS, "gpt-4o")).isNull();
    assertThat(BpeEncoding.resolve(Tokenizer.CL100K_BASE, "gpt-4o")).isEqualTo(BpeEncoding.CL100K_BASE);
    assertThat(BpeEncoding.resolve(Tokenizer.O200K_BASE, "my-deployment")).isEqualTo(BpeEncoding.O200K_BASE);
  }
}
