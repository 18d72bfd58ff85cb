package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestBodiesModelTest {
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  @Test
  void replacesTheModelValueAndNothingElse() {
    assertThat(rewrite("{\"model\":\"gpt-4o\",\"stream\":true}", "gpt-4o-mini"))
        .isEqualTo("{\"model\":\"gpt-4o-mini\",\"stream\":true}");
    assertThat(rewrite(" {\n  \"messages\" : [],\n  \"model\" :  \"a\" ,\"n\":1 }\n", "llama-3.1-8b"))
        .isEqualTo(" {\n  \"messages\" : [],\n  \"model\" :  \"llama-3.1-8b\" ,\"n\":1 }\n");
    assertThat(rewrite("{\"stream\":true,\"model\":\"m\\u00e9\\\"x\"}", "small"))
        .isEqualTo("{\"stream\":true,\"model\":\"small\"}");
  }

  @Test
  void replacesValuesThatAreNotStrings() {
    assertThat(rewrite("{\"model\":null}", "m")).isEqualTo("{\"model\":\"m\"}");
    assertThat(rewrite("{\"model\":42,\"x\":1}", "m")).isEqualTo("{\"model\":\"m\",\"x\":1}");
    assertThat(rewrite("{\"model\":{\"id\":\"a\",\"model\":\"b\"}}", "m")).isEqualTo("{\"model\":\"m\"}");
    assertThat(rewrite("{\"model\":[\"a\",{\"b\":[]}] ,\"y\":false}", "m"))
        .isEqualTo("{\"model\":\"m\" ,\"y\":false}");
    assertThat(rewrite("{\"model\":true}", "m")).isEqualTo("{\"model\":\"m\"}");
  }

  @Test
  void insertsTheModelFirstWhenAbsent() {
    assertThat(rewrite("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "m"))
        .isEqualTo("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(rewrite("{}", "m")).isEqualTo("{\"model\":\"m\"}");
    assertThat(rewrite("\t{ }", "m")).isEqualTo("\t{\"model\":\"m\" }");
  }

  @Test
  void changesOnlyTheLastTopLevelModel() {
    assertThat(rewrite("{\"model\":\"a\",\"model\":\"b\"}", "c")).isEqualTo("{\"model\":\"a\",\"model\":\"c\"}");
    assertThat(rewrite("{\"tools\":[{\"model\":\"x\"}],\"meta\":{\"model\":\"y\"}}", "m"))
        .isEqualTo("{\"model\":\"m\",\"tools\":[{\"model\":\"x\"}],\"meta\":{\"model\":\"y\"}}");
    // A member whose name only starts like "model", or escapes it, is compared decoded.
    assertThat(rewrite("{\"models\":\"x\",\"mode\\u006c\":\"y\"}", "m"))
        .isEqualTo("{\"models\":\"x\",\"mode\\u006c\":\"m\"}");
  }

  @Test
  void escapesTheNewModelName() {
    assertThat(rewrite("{\"model\":\"a\"}", "we\"ird\\name\n\u0001é😀"))
        .isEqualTo("{\"model\":\"we\\\"ird\\\\name\\n\\u0001é😀\"}");
    String rewritten = rewrite(ChatRequests.VLLM, "a\"b");
    ChatRequestInfo info = ChatRequestScannerTest.scanEverySplit(rewritten, 1 << 20);
    assertThat(info.model()).isEqualTo("a\"b");
  }

  @Test
  void keepsEverythingElseTheScannerSees() {
    for (String body : new String[] {ChatRequests.TOOLS_AND_FORMAT, ChatRequests.IMAGE_PARTS, ChatRequests.VLLM,
        ChatRequests.LEGACY_PROMPT}) {
      ChatRequestInfo before = ChatRequestScannerTest.scanEverySplit(body, 1 << 20);
      String rewritten = rewrite(body, "fallback-model");
      ChatRequestInfo after = ChatRequestScannerTest.scanEverySplit(rewritten, 1 << 20);

      assertThat(after.model()).isEqualTo("fallback-model");
      assertThat(after.maxTokens()).isEqualTo(before.maxTokens());
      assertThat(after.stream()).isEqualTo(before.stream());
      assertThat(after.includeUsage()).isEqualTo(before.includeUsage());
      assertThat(after.promptChars()).isEqualTo(before.promptChars());
      String oldModel = "\"" + before.model() + "\"";
      assertThat(rewritten).isEqualTo(body.replace(oldModel, "\"fallback-model\""));
    }
  }

  /** The body as the gateway holds it: a composite of the pieces it arrived in, split anywhere. */
  @Test
  void sameResultForEverySplitOfTheHeldBody() {
    String body = ChatRequests.TOOLS_AND_FORMAT;
    String expected = rewrite(body, "m2");
    byte[] data = utf8(body);
    for (int[] split : Chunks.allSplits(data.length, 11)) {
      List<ByteBuf> pieces = Chunks.chunks(data, split);
      CompositeByteBuf whole = ALLOC.compositeBuffer(Math.max(2, pieces.size()));
      for (ByteBuf piece : pieces) {
        whole.addComponent(true, piece);
      }
      ByteBuf out = RequestBodies.withModel(ALLOC, whole, "m2");
      try {
        assertThat(Chunks.string(out)).isEqualTo(expected);
      } finally {
        whole.release();
        out.release();
      }
    }
  }

  @Test
  void neitherConsumesNorReleasesTheBody() {
    ByteBuf body = Chunks.chunk(utf8("{\"model\":\"a\"}"), 0, 13, 3);
    int reader = body.readerIndex();

    ByteBuf out = RequestBodies.withModel(ALLOC, body, "b");

    assertThat(body.refCnt()).isOne();
    assertThat(body.readerIndex()).isEqualTo(reader);
    assertThat(Chunks.string(out)).isEqualTo("{\"model\":\"b\"}");
    body.release();
    out.release();
  }

  @Test
  void rejectsWhatIsNotACompleteObject() {
    for (String body : new String[] {"", "[]", "{\"model\":\"a", "{\"model\":\"a\",}", "\"model\""}) {
      ByteBuf buf = ALLOC.buffer().writeBytes(utf8(body));
      try {
        assertThatThrownBy(() -> RequestBodies.withModel(ALLOC, buf, "m"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("body: " + utf8(body).length + " bytes");
        assertThat(buf.refCnt()).isOne();
      } finally {
        buf.release();
      }
    }
  }

  private static String rewrite(String body, String model) {
    byte[] data = utf8(body);
    ByteBuf buf = Chunks.chunk(data, 0, data.length, 2);
    ByteBuf out = RequestBodies.withModel(ALLOC, buf, model);
    try {
      return Chunks.string(out);
    } finally {
      buf.release();
      out.release();
    }
  }
}
