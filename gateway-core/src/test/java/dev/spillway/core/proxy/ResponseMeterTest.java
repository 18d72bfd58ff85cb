package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.concurrency.LatencySample;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseMeterTest {

  @Test
  void samplesCarryTheRequestBodysSizeSoTheLimitCanTellAPromptsPrefillFromQueueing() {
    EmbeddedChannel channel = new EmbeddedChannel();
    List<LatencySample> firstTokens = new ArrayList<>();
    ResponseMeter meter = new ResponseMeter(channel.eventLoop(), firstTokens::add);
    meter.requestBytes(4_200);
    meter.requestSent(channel.eventLoop().ticker().nanoTime());
    meter.start(true, false, false);
    channel.advanceTimeBy(150, java.util.concurrent.TimeUnit.MILLISECONDS);
    HttpContent out = meter.filter(new DefaultHttpContent(
        Unpooled.copiedBuffer("data: {\"choices\":[]}\n\n", StandardCharsets.UTF_8)));
    out.release();

    assertThat(firstTokens).singleElement().satisfies(s -> {
      assertThat(s.signal()).isEqualTo(LatencySample.Signal.FIRST_TOKEN);
      assertThat(s.requestBytes()).isEqualTo(4_200);
    });
    assertThat(meter.latencySample(channel.eventLoop().ticker().nanoTime()).requestBytes()).isEqualTo(4_200);
    meter.close();
    channel.finishAndReleaseAll();
  }

  @Test
  void aChunkedBodyHasNoKnownSize() {
    EmbeddedChannel channel = new EmbeddedChannel();
    List<LatencySample> firstTokens = new ArrayList<>();
    ResponseMeter meter = new ResponseMeter(channel.eventLoop(), firstTokens::add);
    meter.requestBytes(-1);
    meter.requestSent(channel.eventLoop().ticker().nanoTime());
    meter.start(true, false, false);
    channel.advanceTimeBy(150, java.util.concurrent.TimeUnit.MILLISECONDS);
    meter.filter(new DefaultHttpContent(Unpooled.copiedBuffer("data: {}\n\n", StandardCharsets.UTF_8))).release();
    assertThat(firstTokens).singleElement().satisfies(s -> {
      assertThat(s.signal()).isEqualTo(LatencySample.Signal.FIRST_TOKEN);
      assertThat(s.requestBytes()).isZero();
    });
    meter.close();
    channel.finishAndReleaseAll();
  }
}
