package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The parts of one chunk that {@link SseUsageFilter} forwards: ranges of the chunk, in order, optionally
 * preceded by bytes held back from earlier chunks. Reused chunk after chunk; it allocates only when the
 * output differs from the chunk.
 */
final class KeptRanges {
  private int[] ranges = new int[8];
  private int count;
  private ByteBuf front;

  void clear() {
    count = 0;
    front = null;
  }

  /** Adds {@code [from, to)} of the chunk, after everything added before. */
  void add(int from, int to) {
    if (from == to) {
      return;
    }
    if (count > 0 && ranges[count - 1] == from) {
      ranges[count - 1] = to;
      return;
    }
    if (count == ranges.length) {
      ranges = java.util.Arrays.copyOf(ranges, count * 2);
    }
    ranges[count++] = from;
    ranges[count++] = to;
  }

  /** Puts {@code held} (owned from now on; may be null) before the chunk's ranges. */
  void prepend(ByteBuf held) {
    if (held == null) {
      return;
    }
    if (front == null) {
      front = held;
      return;
    }
    // Only the first event of a chunk can have held bytes, so this does not happen; stay correct anyway.
    CompositeByteBuf both = held.alloc().compositeBuffer(2);
    front = both.addComponents(true, front, held);
  }

  /** Builds what to forward and releases {@code chunk}, unless the answer is {@code chunk} itself. */
  ByteBuf assemble(ByteBuf chunk) {
    boolean whole = count == 2 && ranges[0] == chunk.readerIndex() && ranges[1] == chunk.writerIndex();
    if (front == null && (whole || !chunk.isReadable())) {
      return chunk;
    }
    int parts = count / 2 + (front == null ? 0 : 1);
    ByteBuf out;
    if (parts == 0) {
      out = Unpooled.EMPTY_BUFFER;
    } else if (parts == 1) {
      out = front != null ? front : chunk.retainedSlice(ranges[0], ranges[1] - ranges[0]);
    } else {
      CompositeByteBuf composite = chunk.alloc().compositeBuffer(parts);
      if (front != null) {
        composite.addComponent(true, front);
      }
      for (int i = 0; i < count; i += 2) {
        composite.addComponent(true, chunk.retainedSlice(ranges[i], ranges[i + 1] - ranges[i]));
      }
      out = composite;
    }
    front = null;
    chunk.release();
    return out;
  }
}
