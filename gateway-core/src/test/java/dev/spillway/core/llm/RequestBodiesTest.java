package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  @Test
  void insertsStreamOptionsFirstWhenAbsent() {
    assertThat(rewrite("{\"model\":\"m\",\"stream\":true}"))
        .isEqualTo("{\"stream_options\":{\"include_usage\":true},\"model\":\"m\",\"stream\":true}");
    assertThat(rewrite(" \n{ \"stream\" : true }\n"))
        .isEqualTo(" \n{\"stream_options\":{\"include_usage\":true}, \"stream\" : true }\n");
    assertThat(rewrite("{}")).isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
  }

  @Test
  void overwritesIncludeUsageAndKeepsOtherOptions() {
    assertThat(rewrite("{\"stream\":true,\"stream_options\":{\"include_usage\":false,\"x\":[1]}}"))
        .isEqualTo("{\"stream\":true,\"stream_options\":{\"include_usage\":true,\"x\":[1]}}");
    assertThat(rewrite("{\"stream_options\":{\"a\":1, \"include_usage\" : null }}"))
        .isEqualTo("{\"stream_options\":{\"a\":1, \"include_usage\" : true }}");
    assertThat(rewrite("{\"stream_options\":{\"include_usage\":{\"odd\":[]}}}"))
        .isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
    assertThat(rewrite("{\"stream_options\":{\"include_usage\":false,\"include_usage\":false}}"))
        .isEqualTo("{\"stream_options\":{\"include_usage\":false,\"include_usage\":true}}");
  }

  @Test
  void addsIncludeUsageToExistingOptions() {
    assertThat(rewrite("{\"stream_options\":{\"continuous_usage_stats\":true},\"stream\":true}"))
        .isEqualTo("{\"stream_options\":{\"include_usage\":true,\"continuous_usage_stats\":true},\"stream\":true}");
    assertThat(rewrite("{\"stream_options\":{ }}")).isEqualTo("{\"stream_options\":{\"include_usage\":true }}");
  }

  @Test
  void replacesOptionsThatAreNotAnObject() {
    assertThat(rewrite("{\"stream_options\":null,\"stream\":true}"))
        .isEqualTo("{\"stream_options\":{\"include_usage\":true},\"stream\":true}");
    assertThat(rewrite("{\"stream_options\":[1,{\"include_usage\":false}]}"))
        .isEqualTo("{\"stream_options\":{\"include_usage\":true}}");
  }

  @Test
  void leavesNestedStreamOptionsAlone() {
    String body = ChatRequests.VLLM.replace("\"guided_json\":{", "\"guided_json\":{\"stream_options\":{},");
    String rewritten = rewrite(body);
    assertThat(rewritten).isEqualTo("{\"stream_options\":{\"include_usage\":true}," + body.substring(1));
  }

  @Test
  void keepsEverythingElseTheScannerSees() {
    for (String body : new String[] {ChatRequests.TOOLS_AND_FORMAT.replace("\"include_usage\": true}",
        "\"include_usage\": false}"), ChatRequests.IMAGE_PARTS, ChatRequests.VLLM, ChatRequests.LEGACY_PROMPT}) {
      ChatRequestInfo before = ChatRequestScannerTest.scanEverySplit(body, 1 << 20);
      String rewritten = rewrite(body);
      ChatRequestInfo after = ChatRequestScannerTest.scanEverySplit(rewritten, 1 << 20);

      assertThat(before.includeUsage()).isFalse();
      assertThat(after).isEqualTo(new ChatRequestInfo(before.model(), before.maxTokens(), before.stream(), true,
          before.promptChars(), 0, utf8(rewritten).length - (body.endsWith("\n") ? 1 : 0), true, false));
    }
  }

  @Test
  void neitherConsumesNorReleasesTheBody() {
    ByteBuf body = Chunks.chunk(utf8("{\"stream\":true}"), 0, 15, 3);
    int reader = body.readerIndex();

    ByteBuf out = RequestBodies.withIncludeUsage(ALLOC, body);

    assertThat(body.refCnt()).isOne();
    assertThat(body.readerIndex()).isEqualTo(reader);
    assertThat(out).isNotSameAs(body);
    assertThat(Chunks.string(out)).isEqualTo("{\"stream_options\":{\"include_usage\":true},\"stream\":true}");
    body.release();
    out.release();
    assertThat(out.refCnt()).isZero();
  }

  @Test
  void rejectsWhatIsNotACompleteObject() {
    for (String body : new String[] {"", "[]", "{\"stream\":tr", "{\"a\":1,}", "null"}) {
      ByteBuf buf = ALLOC.buffer().writeBytes(utf8(body));
      try {
        assertThatThrownBy(() -> RequestBodies.withIncludeUsage(ALLOC, buf))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("body: " + body.length() + " bytes");
        assertThat(buf.refCnt()).isOne();
      } finally {
        buf.release();
      }
    }
  }

  private static String rewrite(String body) {
    byte[] data = utf8(body);
    ByteBuf buf = Chunks.chunk(data, 0, data.length, 2);
    ByteBuf out = RequestBodies.withIncludeUsage(ALLOC, buf);
    try {
      return Chunks.string(out);
    } finally {
      buf.release();
      out.release();
    }
  }
}
