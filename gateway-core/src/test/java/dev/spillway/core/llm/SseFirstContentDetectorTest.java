package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.llm.SseFirstContentDetector.Seen;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseFirstContentDetectorTest {
  private static final String HEAD = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",";
  private static final String ROLE = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
      + "\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
  private static final String CONTENT = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":"
      + "\"Hel\\u006co\"},\"finish_reason\":null}]}");
  private static final String TOOL_CALL = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
      + "[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get\",\"arguments\":\"\"}}]},"
      + "\"finish_reason\":null}]}");
  private static final String ERROR = event("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\","
      + "\"param\":null,\"code\":null}}");
  private static final String DONE = "data: [DONE]\n\n";
  private static final String COMMENT = ": keep-alive\n\n: another\n\n";

  @Test
  void roleOnlyChunksAndCommentsDoNotCommit() {
    assertThat(detect(ROLE + COMMENT + ROLE)).isEqualTo(Seen.NOTHING);
    assertThat(detect("event: ping\nid: 1\n\nretry: 100\n\n")).isEqualTo(Seen.NOTHING);
    assertThat(detect(event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":null}}]}")))
        .isEqualTo(Seen.NOTHING);
    assertThat(detect(event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}]}")))
        .isEqualTo(Seen.NOTHING);
    assertThat(detect(event(HEAD + "\"choices\":[],\"error\":null}"))).isEqualTo(Seen.NOTHING);
    // Content of a second choice, or a nested "content" elsewhere, is not the first token of choice 0.
    assertThat(detect(event(HEAD + "\"choices\":[{\"delta\":{}},{\"delta\":{\"content\":\"x\"}}],"
        + "\"meta\":{\"content\":\"y\"}}"))).isEqualTo(Seen.NOTHING);
  }

  @Test
  void eventsThatAreNoLlmAnswerCommitAtOnce() {
    assertThat(detect("data: {\"temperature\":21.5}\n\n")).isEqualTo(Seen.UNRECOGNIZED);
    assertThat(detect("event: tick\ndata: {\"n\":1,\"error\":null}\n\n")).isEqualTo(Seen.UNRECOGNIZED);
    assertThat(detect("data: {\"type\":\"heartbeat\"}\n\n")).isEqualTo(Seen.UNRECOGNIZED);
    assertThat(detect("data: 42\n\n")).isEqualTo(Seen.UNRECOGNIZED);
  }

  @Test
  void responsesApiAndAnthropicPreamblesAreHeldAndTheirContentCommits() {
    String created = event("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}")
        + event("{\"type\":\"response.in_progress\",\"response\":{}}")
        + event("{\"type\":\"response.output_item.added\",\"item\":{}}");
    assertThat(detect(created)).isEqualTo(Seen.NOTHING);
    assertThat(detect(created + event("{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}")))
        .isEqualTo(Seen.CONTENT);
    assertThat(detect(created + event("{\"type\":\"response.failed\",\"response\":{}}"))).isEqualTo(Seen.ERROR);
    String start = "event: message_start\n" + event("{\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}")
        + "event: ping\n" + event("{\"type\": \"ping\"}")
        + event("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    assertThat(detect(start)).isEqualTo(Seen.NOTHING);
    assertThat(detect(start + event("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
        + "\"text_delta\",\"text\":\"Hi\"}}"))).isEqualTo(Seen.CONTENT);
    assertThat(detect(start + event("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}")))
        .isEqualTo(Seen.ERROR);
  }

  @Test
  void firstContentCommits() {
    assertThat(detect(ROLE + COMMENT + CONTENT)).isEqualTo(Seen.CONTENT);
    assertThat(detect(ROLE + TOOL_CALL)).isEqualTo(Seen.CONTENT);
    assertThat(detect(event(HEAD + "\"choices\":[{\"delta\":{\"reasoning_content\":\"Let me think\"}}]}")))
        .isEqualTo(Seen.CONTENT);
    assertThat(detect(event(HEAD + "\"choices\":[{\"delta\":{\"refusal\":\"No.\"}}]}"))).isEqualTo(Seen.CONTENT);
    assertThat(detect(event(HEAD + "\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}")))
        .isEqualTo(Seen.CONTENT);
    assertThat(detect(event("{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\" Hi\","
        + "\"index\":0}]}"))).isEqualTo(Seen.CONTENT);
  }

  @Test
  void doneErrorsAndUnreadableDataCommit() {
    assertThat(detect(ROLE + DONE)).isEqualTo(Seen.DONE);
    assertThat(detect(ROLE + ERROR)).isEqualTo(Seen.ERROR);
    assertThat(detect("data: {\"error\":\"boom\"}\n\n")).isEqualTo(Seen.ERROR);
    assertThat(detect("data: not json\n\n")).isEqualTo(Seen.UNRECOGNIZED);
    assertThat(detect("data: [DONE] \n\n")).isEqualTo(Seen.UNRECOGNIZED);
    assertThat(detect("data: {\"choices\":\n\n")).isEqualTo(Seen.UNRECOGNIZED);
    // A [DONE] spread over two data lines is not [DONE].
    assertThat(detect("data: [DO\ndata: NE]\n\n")).isEqualTo(Seen.UNRECOGNIZED);
    // One JSON object over two data lines is still read.
    assertThat(detect("data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"x\"}}]}\n\n")).isEqualTo(Seen.CONTENT);
  }

  @Test
  void anEventCommitsOnlyWhenItEnds() {
    String partial = CONTENT.substring(0, CONTENT.length() - 1);
    assertThat(detect(ROLE + partial)).isEqualTo(Seen.NOTHING);
    assertThat(detect("data: [DONE]\n")).isEqualTo(Seen.NOTHING);
  }

  @Test
  void crlfAndCrLineEnds() {
    assertThat(detect(crlf(ROLE + COMMENT) + crlf(CONTENT))).isEqualTo(Seen.CONTENT);
    assertThat(detect(crlf(ROLE) + crlf(DONE))).isEqualTo(Seen.DONE);
    assertThat(detect(ROLE.replace("\n", "\r") + CONTENT.replace("\n", "\r"))).isEqualTo(Seen.CONTENT);
    assertThat(detect(crlf(ROLE + COMMENT))).isEqualTo(Seen.NOTHING);
  }

  @Test
  void stopsReadingAtTheCommitAndCountsWhatItHeld() {
    String stream = ROLE + CONTENT + ERROR + DONE;
    SseFirstContentDetector detector = new SseFirstContentDetector();
    byte[] data = utf8(stream);
    ByteBuf whole = Chunks.chunk(data, 0, data.length, 1);
    try {
      int reader = whole.readerIndex();
      assertThat(detector.feed(whole)).isTrue();
      assertThat(detector.seen()).isEqualTo(Seen.CONTENT);
      assertThat(detector.bytesSeen()).isEqualTo(utf8(ROLE + CONTENT).length);
      assertThat(whole.readerIndex()).isEqualTo(reader);
      assertThat(whole.refCnt()).isOne();
      assertThat(detector.feed(whole)).isTrue();
      assertThat(detector.seen()).isEqualTo(Seen.CONTENT);
      assertThat(detector.committed()).isTrue();
    } finally {
      whole.release();
    }
  }

  /** Every case above, fed whole, byte by byte and in random splits, gives the same answer. */
  @Test
  void sameAnswerForEverySplit() {
    String[] streams = {ROLE + COMMENT + CONTENT + DONE, ROLE + TOOL_CALL, crlf(ROLE + COMMENT + ERROR),
        crlf(ROLE) + crlf(DONE), ROLE + COMMENT, "data: [DO\ndata: NE]\n\n", ROLE.replace("\n", "\r") + DONE,
        event("{\"choices\":[{\"delta\":{\"content\":\"w\u00f6rld 😀\"}}]}")};
    Seen[] expected = {Seen.CONTENT, Seen.CONTENT, Seen.ERROR, Seen.DONE, Seen.NOTHING, Seen.UNRECOGNIZED,
        Seen.DONE, Seen.CONTENT};
    for (int s = 0; s < streams.length; s++) {
      byte[] data = utf8(streams[s]);
      long commitAt = -1;
      for (int[] split : Chunks.allSplits(data.length, s)) {
        List<ByteBuf> chunks = Chunks.chunks(data, split);
        SseFirstContentDetector detector = new SseFirstContentDetector();
        int committedChunk = -1;
        for (int i = 0; i < chunks.size(); i++) {
          ByteBuf chunk = chunks.get(i);
          int reader = chunk.readerIndex();
          boolean committed = detector.feed(chunk);
          assertThat(chunk.readerIndex()).isEqualTo(reader);
          if (committed && committedChunk < 0) {
            committedChunk = i;
          }
          chunk.release();
        }
        assertThat(detector.seen()).as("stream %d", s).isEqualTo(expected[s]);
        if (expected[s] != Seen.NOTHING) {
          // The commit happens in the chunk holding the event's last byte, and at the same byte every time.
          assertThat(split[committedChunk + 1]).isGreaterThanOrEqualTo((int) detector.bytesSeen());
          assertThat(split[committedChunk]).isLessThan((int) detector.bytesSeen());
          if (commitAt < 0) {
            commitAt = detector.bytesSeen();
          }
          assertThat(detector.bytesSeen()).isEqualTo(commitAt);
        } else {
          assertThat(detector.bytesSeen()).isEqualTo(data.length);
        }
      }
    }
  }

  private static Seen detect(String stream) {
    SseFirstContentDetector detector = new SseFirstContentDetector();
    byte[] data = utf8(stream);
    ByteBuf buf = Chunks.chunk(data, 0, data.length, 0);
    try {
      detector.feed(buf);
      return detector.seen();
    } finally {
      buf.release();
    }
  }

  private static String event(String json) {
    return "data: " + json + "\n\n";
  }

  private static String crlf(String s) {
    return s.replace("\n", "\r\n");
  }
}
