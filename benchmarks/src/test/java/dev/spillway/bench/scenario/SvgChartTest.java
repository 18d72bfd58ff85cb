package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class SvgChartTest {
  @Test
  void lineChartIsWellFormedWithAxesLabelsAndLegend() throws Exception {
    String svg = SvgChart.lines("Goodput <&> load", "offered (× C)", "responses / s")
        .line("Spillway", new double[] {0.5, 1, 2, 5, 10}, new double[] {160, 320, 318, 315, Double.NaN})
        .line("nginx", new double[] {0.5, 1, 2, 5, 10}, new double[] {160, 320, 300, 120, 40})
        .render();
    Document doc = parse(svg);
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    List<String> texts = texts(doc);
    assertThat(texts).contains("Goodput <&> load", "offered (× C)", "responses / s", "Spillway", "nginx", "0",
        "10");
    assertThat(count(doc, "line", "axis")).isEqualTo(2);
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
    // The NaN point is left out: 4 + 5 markers.
    assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(9);
    assertThat(svg).doesNotContain("NaN");
  }

  @Test
  void barChartHasOneBarPerValueAndCategoryLabels() throws Exception {
    Document doc = parse(SvgChart.bars("RSS", "MiB", List.of("Spillway", "nginx", "HAProxy"))
        .bar("idle", new double[] {100, 20, 15}).bar("open", new double[] {600, 200, Double.NaN}).render());
    // Background + 5 bars + 2 legend swatches.
    assertThat(doc.getElementsByTagName("rect").getLength()).isEqualTo(1 + 5 + 2);
    assertThat(texts(doc)).contains("Spillway", "nginx", "HAProxy", "MiB", "idle", "open", "600");
  }

  @Test
  void emptyChartStillRenders() throws Exception {
    assertThat(parse(SvgChart.lines("t", "x", "y").render()).getDocumentElement().getTagName()).isEqualTo("svg");
  }

  @Test
  void rejectsMismatchedSeries() {
    assertThatThrownBy(() -> SvgChart.lines("t", "x", "y").line("a", new double[2], new double[3]))
        .hasMessageContaining("expected: a line chart and as many x as y");
    assertThatThrownBy(() -> SvgChart.bars("t", "y", List.of("a")).bar("s", new double[2]))
        .hasMessageContaining("expected: a bar chart and 1");
  }

  @Test
  void ticksAreRound() {
    assertThat(Ticks.step(320, 5)).isEqualTo(100);
    assertThat(Ticks.step(9.5, 8)).isEqualTo(2);
    assertThat(Ticks.format(1500)).isEqualTo("1.5k");
    assertThat(Ticks.format(0.25)).isEqualTo("0.25");
    assertThat(Ticks.format(40)).isEqualTo("40");
  }

  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> texts(Document doc) {
    NodeList nodes = doc.getElementsByTagName("text");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent());
    }
    return out;
  }

  private static int count(Document doc, String tag, String cls) {
    NodeList nodes = doc.getElementsByTagName(tag);
    int n = 0;
    for (int i = 0; i < nodes.getLength(); i++) {
      if (cls.equals(((org.w3c.dom.Element) nodes.item(i)).getAttribute("class"))) {
        n++;
      }
    }
    return n;
  }
}
