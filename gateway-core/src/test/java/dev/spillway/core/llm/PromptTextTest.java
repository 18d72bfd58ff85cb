package dev.spillway.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PromptTextTest {
  private static void utf8(PromptText text, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      text.utf8(b & 0xFF);
    }
  }

  @Test
  void keepsOneSegmentPerString() {
    PromptText text = new PromptText(1024);
    utf8(text, "héllo");
    text.endSegment();
    text.endSegment();
    utf8(text, "中文");
    text.unit('\n');
    text.endSegment();
    utf8(text, "open");

    assertThat(text.segmentCount()).isEqualTo(3);
    assertThat(text.segment(0)).isEqualTo("héllo");
    assertThat(text.segment(1)).isEqualTo("中文\n");
    assertThat(text.segment(2)).isEqualTo("open");
    assertThat(text.truncated()).isFalse();
  }

  @Test
  void joinsEscapedSurrogatePairsAndReplacesLoneHalves() {
    PromptText text = new PromptText(1024);
    text.unit(0xD83D);
    text.unit(0xDE00);
    text.unit(0xD83D);
    utf8(text, "x");
    text.unit(0xDE00);
    text.unit(0xE9);
    text.endSegment();

    assertThat(text.segment(0)).isEqualTo("😀\uFFFDx\uFFFDé");
  }

  @Test
  void stopsKeepingAtItsCapacity() {
    PromptText text = new PromptText(4);
    utf8(text, "abcdef");

    assertThat(text.truncated()).isTrue();
    assertThat(text.bytes()).isEqualTo(4);
    assertThat(text.segment(0)).isEqualTo("abcd");
    assertThatThrownBy(() -> new PromptText(0)).hasMessage("capacity: 0 (expected: > 0)");
  }
}
