package io.depot.jcstress;

import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.Overflow;
import io.depot.Track;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/** A fresh queue opened by both clients, for one jcstress state. */
class QueueState {
  final String name = Shared.freshName();
  final DepotQueue a;
  final DepotQueue b;

  QueueState(int capacity) {
    this(capacity, Overflow.BLOCK);
  }

  QueueState(int capacity, Overflow overflow) {
    a = Shared.A.createQueue(name, capacity, overflow, Track.bytes("v", 8));
    b = Shared.B.openQueue(name);
  }

  static MemorySegment value(long v) {
    return MemorySegment.ofArray(new long[] {v});
  }

  /** Pops once: the value, or 0 if empty. */
  static long pop(DepotQueue q) {
    Optional<Entry> e = q.tryPop();
    if (e.isEmpty()) {
      return 0;
    }
    try (Entry entry = e.get()) {
      return entry.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }
  }

  void cleanUp() {
    b.close();
    a.close();
    Shared.A.remove(name);
  }
}
