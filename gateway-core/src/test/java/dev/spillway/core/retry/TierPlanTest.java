package dev.spillway.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.config.FailoverTierConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TierPlanTest {
  private static final TierPlan PLAN = new TierPlan(List.of(FailoverTierConfig.of("primary"),
      FailoverTierConfig.of("secondary"), new FailoverTierConfig("small", "gpt-4o-mini")));

  @Test
  void primaryFirstWhileAvailable() {
    assertThat(walk(PLAN, b -> true)).containsExactly("primary", "secondary", "small");
  }

  @Test
  void spillsWhilePrimaryIsDownAndReturnsAsSoonAsItRecovers() {
    Set<String> down = new HashSet<>();
    TierAvailability availability = b -> !down.contains(b);
    TierCursor cursor = PLAN.cursor();

    cursor.start(availability);
    assertThat(cursor.current().backend()).isEqualTo("primary");
    assertThat(cursor.spilled()).isFalse();

    down.add("primary");
    cursor.start(availability);
    assertThat(cursor.current().backend()).isEqualTo("secondary");
    assertThat(cursor.spilled()).isTrue();
    assertThat(walk(PLAN, availability)).containsExactly("secondary", "small", "primary");

    down.add("secondary");
    assertThat(walk(PLAN, availability)).containsExactly("small", "primary", "secondary");
    cursor.start(availability);
    assertThat(cursor.current().model()).isEqualTo("gpt-4o-mini");

    down.remove("primary");
    assertThat(walk(PLAN, availability)).containsExactly("primary", "small", "secondary");
    cursor.start(availability);
    assertThat(cursor.currentIndex()).isZero();
    assertThat(cursor.spilled()).isFalse();

    down.clear();
    assertThat(walk(PLAN, availability)).containsExactly("primary", "secondary", "small");
  }

  @Test
  void nothingAvailableKeepsTheConfiguredOrder() {
    assertThat(walk(PLAN, b -> false)).containsExactly("primary", "secondary", "small");
    assertThat(PLAN.firstAvailable(b -> false)).isEqualTo(-1);
    assertThat(PLAN.firstAvailable(b -> !b.equals("primary"))).isEqualTo(1);
  }

  @Test
  void orderIsAStablePartitionForAnyAvailability() {
    Random random = new Random(3);
    List<FailoverTierConfig> tiers = new ArrayList<>();
    for (int i = 0; i < TierPlan.MAX_TIERS; i++) {
      tiers.add(FailoverTierConfig.of("b" + i));
    }
    TierPlan plan = new TierPlan(tiers);
    for (int run = 0; run < 2000; run++) {
      int size = 1 + random.nextInt(TierPlan.MAX_TIERS);
      TierPlan p = size == TierPlan.MAX_TIERS ? plan : new TierPlan(tiers.subList(0, size));
      int mask = random.nextInt(1 << size);
      TierAvailability availability = b -> (mask >> Integer.parseInt(b.substring(1)) & 1) != 0;
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        if ((mask >> i & 1) != 0) {
          expected.add("b" + i);
        }
      }
      for (int i = 0; i < size; i++) {
        if ((mask >> i & 1) == 0) {
          expected.add("b" + i);
        }
      }
      assertThat(walk(p, availability)).isEqualTo(expected);
    }
  }

  @Test
  void cursorEndsAfterTheLastTier() {
    TierCursor cursor = PLAN.cursor();
    cursor.start(b -> true);
    assertThat(cursor.advance()).isTrue();
    assertThat(cursor.advance()).isTrue();
    assertThat(cursor.advance()).isFalse();
    assertThat(cursor.advance()).isFalse();
    assertThat(cursor.hasCurrent()).isFalse();
    assertThat(cursor.spilled()).isFalse();
    assertThatThrownBy(cursor::current).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void validatesTheTierCount() {
    assertThatThrownBy(() -> new TierPlan(List.of())).hasMessage("tiers: 0 (expected: 1..15)");
    List<FailoverTierConfig> many = new ArrayList<>();
    for (int i = 0; i <= TierPlan.MAX_TIERS; i++) {
      many.add(FailoverTierConfig.of("b" + i));
    }
    assertThatThrownBy(() -> new TierPlan(many)).hasMessage("tiers: 16 (expected: 1..15)");
  }

  private static List<String> walk(TierPlan plan, TierAvailability availability) {
    TierCursor cursor = plan.cursor();
    cursor.start(availability);
    List<String> order = new ArrayList<>();
    while (cursor.hasCurrent()) {
      order.add(cursor.current().backend());
      cursor.advance();
    }
    return order;
  }
}
