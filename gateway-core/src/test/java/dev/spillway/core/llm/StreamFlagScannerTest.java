package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.llm.StreamFlagScanner.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether a request body asks for a stream, in every split the network may deliver it. */
class StreamFlagScannerTest {

  /**
   * Scans {@code body} split at {@code bounds}; checks that no piece is consumed or released and that exactly
   * the piece completing a known kind reports it.
   */
  private static Kind scan(byte[] body, int[] bounds) {
    StreamFlagScanner scanner = new StreamFlagScanner();
    int decidedBy = 0;
    for (ByteBuf piece : Chunks.chunks(body, bounds)) {
      try {
        int reader = piece.readerIndex();
        int writer = piece.writerIndex();
        if (scanner.feed(piece)) {
          decidedBy++;
        }
        assertThat(piece.readerIndex()).isEqualTo(reader);
        assertThat(piece.writerIndex()).isEqualTo(writer);
        assertThat(piece.refCnt()).isEqualTo(1);
      } finally {
        piece.release();
      }
    }
    assertThat(decidedBy).as("reported once when known, never otherwise")
        .isEqualTo(scanner.kind() == Kind.UNKNOWN ? 0 : 1);
    return scanner.kind();
  }

  /** Whole, byte by byte, in two pieces at every byte boundary, and at random splits: always the same kind. */
  private static Kind scanEverySplit(String json) {
    byte[] body = utf8(json);
    List<int[]> splits = new ArrayList<>(Chunks.allSplits(body.length, json.hashCode()));
    for (int at = 1; at < body.length; at++) {
      splits.add(new int[] {0, at, body.length});
    }
    Kind whole = scan(body, splits.get(0));
    for (int[] bounds : splits) {
      assertThat(scan(body, bounds)).as("split %s", java.util.Arrays.toString(bounds)).isEqualTo(whole);
    }
    return whole;
  }

  @Test
  void aTopLevelStreamTrueIsStreamed() {
    assertThat(scanEverySplit("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
        + "\"stream\":true}")).isEqualTo(Kind.STREAMED);
    assertThat(scanEverySplit(" \r\n{ \"stream\" :\ttrue , \"model\" : \"m\" }\n")).isEqualTo(Kind.STREAMED);
    assertThat(scanEverySplit(ChatRequests.TOOLS_AND_FORMAT)).isEqualTo(Kind.STREAMED);
  }

  @Test
  void anythingButTrueIsWhole() {
    for (String value : new String[] {"false", "null", "\"true\"", "1", "0", "{\"stream\":true}", "[true]",
        "\"\""}) {
      assertThat(scanEverySplit("{\"model\":\"m\",\"stream\":" + value + ",\"n\":1}")).as(value)
          .isEqualTo(Kind.WHOLE);
    }
    assertThat(scanEverySplit(ChatRequests.IMAGE_PARTS)).as("stream: false").isEqualTo(Kind.WHOLE);
  }

  @Test
  void aCompleteBodyWithoutStreamIsWhole() {
    assertThat(scanEverySplit(ChatRequests.LEGACY_PROMPT)).isEqualTo(Kind.WHOLE);
    assertThat(scanEverySplit("{}")).isEqualTo(Kind.WHOLE);
    assertThat(scanEverySplit(ApiSamples.EMBEDDINGS)).isEqualTo(Kind.WHOLE);
  }

  @Test
  void onlyTheTopLevelStreamCounts() {
    String nested = "{\"model\":\"m\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
        + "\"parameters\":{\"stream\":true}}}],\"metadata\":{\"stream\":true},\"response_format\":{\"type\":"
        + "\"json_schema\",\"json_schema\":{\"schema\":{\"stream\":{\"stream\":true}}}},"
        + "\"extra\":[[{\"stream\":true}]]}";
    assertThat(scanEverySplit(nested)).isEqualTo(Kind.WHOLE);
    assertThat(scanEverySplit(ChatRequests.VLLM)).as("nested stream true, top-level true").isEqualTo(Kind.STREAMED);
    assertThat(scanEverySplit("{\"metadata\":{\"stream\":false},\"stream\":true,\"tools\":[{\"stream\":false}]}"))
        .isEqualTo(Kind.STREAMED);
  }

  @Test
  void keysThatOnlyLookLikeStreamDoNotCount() {
    assertThat(scanEverySplit("{\"streams\":true,\"stream_options\":{\"include_usage\":true},\"Stream\":true,"
        + "\"strea\":true,\"x\":\"\\\"stream\\\":true\"}")).isEqualTo(Kind.WHOLE);
    assertThat(scanEverySplit("{\"\\u0073tream\":true}")).as("an escaped name is the name the backend reads")
        .isEqualTo(Kind.STREAMED);
  }

  @Test
  void theLastOfDuplicateStreamMembersWins() {
    assertThat(scanEverySplit("{\"stream\":true,\"model\":\"m\",\"stream\":false}")).isEqualTo(Kind.WHOLE);
    assertThat(scanEverySplit("{\"stream\":false,\"stream\":true}")).isEqualTo(Kind.STREAMED);
    assertThat(scanEverySplit("{\"stream\":true,\"stream\":null}")).isEqualTo(Kind.WHOLE);
  }

  @Test
  void anthropicMessagesAndResponsesApiBodies() {
    assertThat(scanEverySplit(ApiSamples.ANTHROPIC)).isEqualTo(Kind.STREAMED);
    assertThat(scanEverySplit(ApiSamples.RESPONSES_STRING)).isEqualTo(Kind.STREAMED);
    assertThat(scanEverySplit(ApiSamples.RESPONSES_ITEMS)).as("no stream member").isEqualTo(Kind.WHOLE);
    String anthropicWhole = ApiSamples.ANTHROPIC.replace("\"stream\":true", "\"stream\":false");
    assertThat(scanEverySplit(anthropicWhole)).isEqualTo(Kind.WHOLE);
  }

  @Test
  void anIncompleteBodyIsUnknownUntilItsObjectCloses() {
    assertThat(scanEverySplit("{\"stream\":true")).isEqualTo(Kind.UNKNOWN);
    assertThat(scanEverySplit("{\"model\":\"m\"")).isEqualTo(Kind.UNKNOWN);
    StreamFlagScanner scanner = new StreamFlagScanner();
    assertThat(feed(scanner, "{\"stream\":true,\"messages\":[")).isFalse();
    assertThat(scanner.kind()).isEqualTo(Kind.UNKNOWN);
    assertThat(scanner.decided()).isFalse();
    assertThat(feed(scanner, "]}")).isTrue();
    assertThat(scanner.kind()).isEqualTo(Kind.STREAMED);
    assertThat(scanner.decided()).isTrue();
  }

  @Test
  void malformedOrNonJsonBodiesAreUnknown() {
    for (String body : new String[] {"stream=true", "[{\"stream\":true}]", "\"stream\"", "true",
        "{\"stream\":tru}", "{\"stream\":true,}", "{\"stream\" true}", "{'stream':true}",
        "\uFEFF{\"stream\":true}", "{\"a\":\"\u0001\",\"stream\":true}", "{\"stream\":TRUE}"}) {
      assertThat(scanEverySplit(body)).as(body).isEqualTo(Kind.UNKNOWN);
    }
    assertThat(scanEverySplit("{\"stream\":true} trailing")).as("decided when the object closes; the rest is not read")
        .isEqualTo(Kind.STREAMED);
    for (String body : new String[] {"stream=true", "[{\"stream\":true}]", "\"stream\"", "true",
        "{\"stream\":tru}", "{\"stream\":true,}", "{\"stream\" true}", "{'stream':true}"}) {
      StreamFlagScanner scanner = new StreamFlagScanner();
      feed(scanner, body);
      assertThat(scanner.kind()).as(body).isEqualTo(Kind.UNKNOWN);
      assertThat(scanner.decided()).as(body + ": no further piece can help").isTrue();
    }
    assertThat(new StreamFlagScanner().kind()).as("no body").isEqualTo(Kind.UNKNOWN);
  }

  @Test
  void nestingDeeperThanTheTokenizerAllowsIsUnknown() {
    String deep = "{\"stream\":true,\"x\":" + "[".repeat(JsonTokenizer.MAX_DEPTH) + "]".repeat(JsonTokenizer.MAX_DEPTH)
        + "}";
    assertThat(scanEverySplit(deep)).isEqualTo(Kind.UNKNOWN);
  }

  @Test
  void aDecidedScannerReadsNoFurtherPiece() {
    for (String first : new String[] {"{\"stream\":true}", "{\"stream\":false}", "not json"}) {
      StreamFlagScanner scanner = new StreamFlagScanner();
      feed(scanner, first);
      Kind kind = scanner.kind();
      // A released buffer throws on any read: the scanner must not even look at it.
      ByteBuf gone = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20).writeZero(1 << 20);
      gone.release();
      assertThat(scanner.feed(gone)).isFalse();
      assertThat(scanner.kind()).isEqualTo(kind);
    }
  }

  @Test
  void aLargeBodyIsDecidedAtItsEnd() {
    StringBuilder json = new StringBuilder("{\"stream\":true,\"messages\":[");
    for (int i = 0; i < 20_000; i++) {
      json.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"stream: true \\\"stream\\\"\"}");
    }
    byte[] body = utf8(json.append("]}").toString());
    int[] bounds = new int[body.length / 8192 + 2];
    for (int i = 0; i < bounds.length - 1; i++) {
      bounds[i] = i * 8192;
    }
    bounds[bounds.length - 1] = body.length;
    assertThat(scan(body, bounds)).isEqualTo(Kind.STREAMED);
  }

  private static boolean feed(StreamFlagScanner scanner, String text) {
    ByteBuf piece = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(utf8(text));
    try {
      return scanner.feed(piece);
    } finally {
      piece.release();
    }
  }
}
