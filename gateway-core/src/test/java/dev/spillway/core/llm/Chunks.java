package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Splits test inputs into chunks the way a network might: whole, byte by byte, or at random points (fixed
 * seeds). Each chunk sits behind a few junk bytes before its reader index, alternating heap and direct, pooled
 * and unpooled buffers, so code that reads relative to index 0 or consumes the chunk shows up.
 */
final class Chunks {
  /** How many random splits each input gets. */
  static final int RANDOM_SPLITS = 200;

  private static final ByteBufAllocator[] ALLOCATORS = {UnpooledByteBufAllocator.DEFAULT,
      PooledByteBufAllocator.DEFAULT};

  private Chunks() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(ByteBuf buf) {
    return buf.toString(buf.readerIndex(), buf.readableBytes(), StandardCharsets.UTF_8);
  }

  /** Every way a test splits its input: whole, byte by byte, then {@link #RANDOM_SPLITS} random splits. */
  static List<int[]> allSplits(int length, long seed) {
    List<int[]> splits = new ArrayList<>();
    splits.add(new int[] {0, length});
    int[] single = new int[length + 1];
    for (int i = 0; i <= length; i++) {
      single[i] = i;
    }
    splits.add(single);
    Random random = new Random(seed);
    for (int n = 0; n < RANDOM_SPLITS; n++) {
      splits.add(randomSplit(length, random));
    }
    return splits;
  }

  /** Boundaries {@code 0 = b0 < b1 < ... = length}, with a bias towards small chunks. */
  static int[] randomSplit(int length, Random random) {
    List<Integer> bounds = new ArrayList<>();
    bounds.add(0);
    int at = 0;
    while (at < length) {
      int step = random.nextInt(4) == 0 ? 1 + random.nextInt(Math.max(1, length / 2)) : 1 + random.nextInt(16);
      at = Math.min(length, at + step);
      bounds.add(at);
    }
    return bounds.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The chunks of {@code data} between the given boundaries, each a fresh buffer the caller must release. */
  static List<ByteBuf> chunks(byte[] data, int[] bounds) {
    List<ByteBuf> chunks = new ArrayList<>(bounds.length);
    for (int i = 0; i + 1 < bounds.length; i++) {
      chunks.add(chunk(data, bounds[i], bounds[i + 1], i));
    }
    return chunks;
  }

  static ByteBuf chunk(byte[] data, int from, int to, int variant) {
    ByteBufAllocator alloc = ALLOCATORS[variant & 1];
    int junk = 1 + variant % 3;
    ByteBuf buf = (variant & 2) == 0 ? alloc.heapBuffer(junk + to - from) : alloc.directBuffer(junk + to - from);
    for (int i = 0; i < junk; i++) {
      buf.writeByte('"');
    }
    buf.writeBytes(data, from, to - from);
    buf.readerIndex(junk);
    return buf;
  }
}
