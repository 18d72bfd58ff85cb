package dev.spillway.server.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.mock.CapacityGate.Admission;
import dev.spillway.server.mock.CapacityGate.Ticket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CapacityGateTest {
  private final List<String> granted = new ArrayList<>();

  private Ticket ticket(CapacityGate gate, String name) {
    return new Ticket(gate, Runnable::run, () -> granted.add(name));
  }

  @Test
  void grantsUpToCapacityThenQueuesThenRejects() {
    CapacityGate gate = new CapacityGate(2, 1);
    assertThat(gate.enter(ticket(gate, "a"))).isEqualTo(Admission.GRANTED);
    assertThat(gate.enter(ticket(gate, "b"))).isEqualTo(Admission.GRANTED);
    assertThat(gate.enter(ticket(gate, "c"))).isEqualTo(Admission.QUEUED);
    assertThat(gate.enter(ticket(gate, "d"))).isEqualTo(Admission.REJECTED);
    assertThat(gate.inFlight()).isEqualTo(2);
    assertThat(gate.queued()).isEqualTo(1);
    assertThat(granted).isEmpty();
  }

  @Test
  void releasedSlotGoesToTheOldestWaiter() {
    CapacityGate gate = new CapacityGate(1, 3);
    Ticket a = ticket(gate, "a");
    gate.enter(a);
    Ticket b = ticket(gate, "b");
    Ticket c = ticket(gate, "c");
    gate.enter(b);
    gate.enter(c);

    a.close();
    assertThat(granted).containsExactly("b");
    assertThat(b.isGranted()).isTrue();
    b.close();
    assertThat(granted).containsExactly("b", "c");
    c.close();
    assertThat(gate.inFlight()).isZero();
    assertThat(gate.queued()).isZero();
  }

  @Test
  void closingIsIdempotent() {
    CapacityGate gate = new CapacityGate(1, 0);
    Ticket a = ticket(gate, "a");
    gate.enter(a);
    a.close();
    a.close();
    assertThat(gate.inFlight()).isZero();
    assertThat(gate.enter(ticket(gate, "b"))).isEqualTo(Admission.GRANTED);
    assertThat(gate.inFlight()).isEqualTo(1);
  }

  @Test
  void closedWaiterLeavesTheQueueAndIsNeverGranted() {
    CapacityGate gate = new CapacityGate(1, 1);
    Ticket a = ticket(gate, "a");
    gate.enter(a);
    Ticket b = ticket(gate, "b");
    gate.enter(b);

    b.close();
    assertThat(gate.queued()).isZero();
    assertThat(gate.enter(ticket(gate, "c"))).isEqualTo(Admission.QUEUED);
    a.close();
    assertThat(granted).containsExactly("c");
    assertThat(gate.inFlight()).isEqualTo(1);
  }

  @Test
  void concurrentUseNeverExceedsCapacityAndEndsEmpty() throws Exception {
    CapacityGate gate = new CapacityGate(3, 8);
    AtomicInteger overCapacity = new AtomicInteger();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          Ticket[] self = new Ticket[1];
          // A granted waiter finishes at once, on whichever thread handed it the slot.
          self[0] = new Ticket(gate, Runnable::run, () -> {
            if (gate.inFlight() > 3) {
              overCapacity.incrementAndGet();
            }
            self[0].close();
          });
          Admission admission = gate.enter(self[0]);
          if (gate.inFlight() > 3) {
            overCapacity.incrementAndGet();
          }
          if (admission == Admission.GRANTED || (admission == Admission.QUEUED && (i & 1) == 0)) {
            self[0].close();
          }
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join(10_000);
    }
    assertThat(overCapacity).hasValue(0);
    assertThat(gate.queued()).isZero();
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void rejectedTicketCloseIsHarmless() {
    CapacityGate gate = new CapacityGate(1, 0);
    gate.enter(ticket(gate, "a"));
    Ticket b = ticket(gate, "b");
    assertThat(gate.enter(b)).isEqualTo(Admission.REJECTED);
    b.close();
    assertThat(gate.inFlight()).isEqualTo(1);
  }
}
