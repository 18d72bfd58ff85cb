package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {
  @Test
  void rendersHeaderAlignmentAndRows() {
    MarkdownTable t = new MarkdownTable("target", ">p99 ms").row("nginx", 1.5).row("a|b", "-");
    assertThat(t.render()).isEqualTo("""
        | target | p99 ms |
        |---|---:|
        | nginx | 1.5 |
        | a\\|b | - |
        """);
    assertThat(t.rowCount()).isEqualTo(2);
  }

  @Test
  void rejectsRowsOfTheWrongWidth() {
    assertThatThrownBy(() -> new MarkdownTable("a", "b").row("x")).hasMessage("cells: 1 (expected: 2)");
    assertThatThrownBy(MarkdownTable::new).hasMessage("headers: [] (expected: at least one)");
  }
}
