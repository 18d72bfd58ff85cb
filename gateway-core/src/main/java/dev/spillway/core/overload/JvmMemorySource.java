package dev.spillway.core.overload;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Memory of this JVM. Heap use is what remained after the last collection, taken from the collectors' own
 * notifications: the heap in use at an arbitrary moment includes garbage that the next young collection frees,
 * and would report pressure that is not there. Before the first collection, the current use stands in.
 *
 * <p>Direct memory is Netty's own count when it keeps one, or the JDK's direct buffer pool otherwise.
 */
public final class JvmMemorySource implements MemorySource, NotificationListener {
  private final Set<String> heapPools = new HashSet<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final BufferPoolMXBean directPool;
  private final long heapMax;
  private volatile long heapAfterGc = -1;

  public JvmMemorySource() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    heapMax = max > 0 ? max : Runtime.getRuntime().maxMemory();
    BufferPoolMXBean direct = null;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if ("direct".equals(pool.getName())) {
        direct = pool;
      }
    }
    directPool = direct;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(this, null, null);
        emitters.add(emitter);
      }
    }
  }

  @Override
  public void handleNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    heapAfterGc = used;
  }

  @Override
  public long heapUsed() {
    long afterGc = heapAfterGc;
    return afterGc >= 0 ? afterGc : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Override
  public long heapMax() {
    return heapMax;
  }

  @Override
  public long directUsed() {
    long netty = PlatformDependent.usedDirectMemory();
    if (netty >= 0) {
      return netty;
    }
    return directPool == null ? 0 : directPool.getMemoryUsed();
  }

  @Override
  public long directMax() {
    return PlatformDependent.maxDirectMemory();
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(this);
      } catch (javax.management.ListenerNotFoundException e) {
        // already gone
      }
    }
    emitters.clear();
  }
}
