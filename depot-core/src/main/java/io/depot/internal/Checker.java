package io.depot.internal;

import static io.depot.internal.ObjectDescriptor.*;

import io.depot.CheckReport;
import io.depot.ValueKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The invariant checker behind {@link io.depot.Depot#check()}: reads every structure of the store
 * without locks and cross-checks them. Exact on a quiescent store; while other processes work it
 * may report transient differences.
 */
final class Checker {
  private static final int MAX_PROBLEMS = 200;

  private final Store store;
  private final Mem mem;
  private final StoreLayout layout;
  private final List<String> problems = new ArrayList<>();

  /** Allocated blocks: address -> size class (or -1 for an extent). */
  private final Map<Long, Integer> allocated = new HashMap<>();

  private final Map<Long, Long> extentOwner = new HashMap<>();
  private final Map<Long, Integer> blockOwner = new HashMap<>();
  private long freeBytes;
  private long blockBytes;

  private Checker(Store store) {
    this.store = store;
    this.mem = store.mem;
    this.layout = store.layout;
  }

  static CheckReport run(Store store) {
    return new Checker(store).check();
  }

  private void problem(String p) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(p);
    } else if (problems.size() == MAX_PROBLEMS) {
      problems.add("... more problems not listed");
    }
  }

  private CheckReport check() {
    try {
      checkPages();
    } catch (RuntimeException e) {
      problem("page map unreadable: " + e);
    }
    long[] counts = new long[4];
    try {
      checkDescriptors(counts);
    } catch (RuntimeException e) {
      problem("descriptor table unreadable: " + e);
    }
    try {
      checkDirectory();
    } catch (RuntimeException e) {
      problem("directory unreadable: " + e);
    }
    int dead = 0;
    try {
      dead = checkClientsAndPins();
    } catch (RuntimeException e) {
      problem("client table or journals unreadable: " + e);
    }
    try {
      checkQueues(counts);
    } catch (RuntimeException e) {
      problem("queues unreadable: " + e);
    }
    return new CheckReport(
        problems,
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        allocated.size(),
        blockBytes,
        freeBytes,
        dead);
  }

  // ------------------------------------------------------------------ pages, spans, classes

  private void checkPages() {
    long freePages = 0;
    long[] spans = new long[layout.classCount];
    long[] used = new long[layout.classCount];
    List<Set<Long>> partial = new ArrayList<>();
    for (int c = 0; c < layout.classCount; c++) {
      partial.add(new HashSet<>());
    }
    for (long p = 0; p < layout.pageCount; p++) {
      long w = mem.getLong(layout.pageState(p));
      boolean freeBit = Bitmaps.get(mem, layout.pageFreeBitsOffset, p);
      int st = PageDescriptor.state(w);
      if (st == PageDescriptor.FREE) {
        freePages++;
        if (!freeBit) {
          problem("page " + p + " is FREE but its free-page bit is clear (lost to the allocator)");
        }
        continue;
      }
      if (freeBit) {
        problem("page " + p + " is in use (state " + st + ") but its free-page bit is set");
      }
      if (st == PageDescriptor.SPAN) {
        int c = PageDescriptor.sizeClass(w);
        if (c >= layout.classCount) {
          problem("span at page " + p + " has class=" + c);
          continue;
        }
        long n = SizeClasses.spanPages(c);
        if (p + n > layout.pageCount) {
          problem("span at page " + p + " of " + n + " pages runs past the arena");
          continue;
        }
        checkTails(p, n, PageDescriptor.SPAN_TAIL);
        int slots = SizeClasses.slots(c);
        int bits = store.blocks.countBits(c, p);
        if (bits != PageDescriptor.low(w)) {
          problem(
              "span at page "
                  + p
                  + " (class "
                  + SizeClasses.size(c)
                  + " B) says used="
                  + PageDescriptor.low(w)
                  + " but its bitmap has "
                  + bits);
        }
        for (int s = 0; s < slots; s++) {
          if (store.blocks.getBit(c, p, s)) {
            allocated.put(store.blocks.slotAddress(c, p, s), c);
          }
        }
        freeBytes += (long) (slots - bits) * SizeClasses.size(c);
        spans[c]++;
        used[c] += bits;
        if (bits < slots) {
          partial.get(c).add(p);
        }
        p += n - 1;
      } else if (st == PageDescriptor.LARGE) {
        long n = PageDescriptor.low(w);
        if (n < 1 || p + n > layout.pageCount) {
          problem("extent at page " + p + " has run=" + n + " pages, past the arena");
          continue;
        }
        checkTails(p, n, PageDescriptor.LARGE_TAIL);
        allocated.put(layout.pageAddress(p), -1);
        extentOwner.put(
            layout.pageAddress(p), mem.getLong(layout.page(p) + PageDescriptor.LINK_OFFSET));
        p += n - 1;
      } else {
        problem(
            "page "
                + p
                + " has state "
                + st
                + " outside any span or extent (orphan tail or garbage)");
      }
    }
    freeBytes += freePages << SizeClasses.PAGE_SHIFT;
    long counted = mem.getLongOpaque(HeaderDescriptor.FREE_PAGES_OFFSET);
    if (counted != freePages) {
      problem(
          "header free page count="
              + counted
              + " but the page map has "
              + freePages
              + " free pages");
    }
    checkLockFree("page allocator lock", HeaderDescriptor.PAGE_LOCK_OFFSET);
    for (int c = 0; c < layout.classCount; c++) {
      long cls = layout.sizeClass(c);
      checkLockFree("class " + SizeClasses.size(c) + " B lock", cls + ClassDescriptor.LOCK_OFFSET);
      if (mem.getLong(cls + ClassDescriptor.SPANS_OFFSET) != spans[c]) {
        problem(
            "class "
                + SizeClasses.size(c)
                + " B counts spans="
                + mem.getLong(cls + ClassDescriptor.SPANS_OFFSET)
                + " but the page map has "
                + spans[c]);
      }
      if (mem.getLong(cls + ClassDescriptor.USED_OFFSET) != used[c]) {
        problem(
            "class "
                + SizeClasses.size(c)
                + " B counts used="
                + mem.getLong(cls + ClassDescriptor.USED_OFFSET)
                + " but the bitmaps have "
                + used[c]);
      }
      Set<Long> listed = new HashSet<>();
      long prev = 0;
      long head = mem.getLong(cls + ClassDescriptor.PARTIAL_HEAD_OFFSET);
      for (long at = head, steps = 0; at != 0; steps++) {
        if (steps > layout.pageCount || at < 1 || at > layout.pageCount || !listed.add(at - 1)) {
          problem(
              "partial list of class "
                  + SizeClasses.size(c)
                  + " B is broken or cyclic at page "
                  + (at - 1));
          break;
        }
        long link = mem.getLong(layout.page(at - 1) + PageDescriptor.LINK_OFFSET);
        if (PageDescriptor.prev(link) != prev) {
          problem(
              "partial list of class "
                  + SizeClasses.size(c)
                  + " B: page "
                  + (at - 1)
                  + " has prev="
                  + (PageDescriptor.prev(link) - 1)
                  + ", expected "
                  + (prev - 1));
        }
        prev = at;
        at = Integer.toUnsignedLong(PageDescriptor.next(link));
      }
      if (!listed.equals(partial.get(c))) {
        problem(
            "partial list of class "
                + SizeClasses.size(c)
                + " B lists "
                + listed
                + " but spans with free slots are "
                + partial.get(c));
      }
    }
  }

  private void checkTails(long head, long n, int tailState) {
    for (long t = head + 1; t < head + n; t++) {
      long tw = mem.getLong(layout.pageState(t));
      if (PageDescriptor.state(tw) != tailState || PageDescriptor.low(tw) != head) {
        problem(
            "page "
                + t
                + " should be a tail of the run at page "
                + head
                + " but has state "
                + PageDescriptor.state(tw)
                + " head "
                + PageDescriptor.low(tw));
      }
    }
  }

  private void checkLockFree(String what, long offset) {
    long owner = mem.getLongAcquire(offset);
    if (owner != 0 && !store.clients.isTokenAlive(owner)) {
      problem(what + " is held by dead client token=" + owner);
    }
  }

  // ------------------------------------------------------------------ descriptors and blocks

  private void checkDescriptors(long[] counts) {
    for (int i = 0; i < layout.maxObjects; i++) {
      long d = layout.descriptor(i);
      long c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      if (st == FREE) {
        continue;
      }
      if (st > FREEING) {
        problem("descriptor " + i + " has state " + st);
        continue;
      }
      switch (st) {
        case COMMITTED -> counts[0]++;
        case ZOMBIE -> counts[2]++;
        case WRITE -> counts[3]++;
        default -> {
          // FREEING: a free in progress (or a dead freer's)
        }
      }
      if (recounting(c) && st != WRITE) { // on a WRITE descriptor the bit means SUPERSEDED
        problem("descriptor " + i + " is frozen for a recount");
      }
      if ((st == WRITE || st == FREEING) && !store.clients.isTokenAlive(count(c))) {
        problem(
            "descriptor " + i + " is " + stateName(st) + " owned by dead client token=" + count(c));
      }
      long block = mem.getLong(d + BLOCK_OFFSET);
      if (block == 0) {
        if (st == COMMITTED || st == ZOMBIE) {
          problem("descriptor " + i + " is " + stateName(st) + " without a block");
        }
        continue;
      }
      Integer cls = allocated.get(block);
      if (cls == null) {
        problem(
            "descriptor "
                + i
                + " ("
                + stateName(st)
                + ") points at block "
                + block
                + " which is not allocated");
        continue;
      }
      Integer other = blockOwner.put(block, i);
      if (other != null) {
        problem("block " + block + " is owned by descriptors " + other + " and " + i);
      }
      long size =
          cls >= 0
              ? SizeClasses.size(cls)
              : PageDescriptor.low(mem.getLong(layout.pageState(layout.pageOf(block))))
                  << SizeClasses.PAGE_SHIFT;
      blockBytes += size;
      if (mem.getLong(d + BLOCK_SIZE_OFFSET) != size) {
        problem(
            "descriptor "
                + i
                + " says blockSize="
                + mem.getLong(d + BLOCK_SIZE_OFFSET)
                + " but its block has "
                + size
                + " bytes");
      }
      long tag = ownerTag(i, generation(c));
      if (mem.getLong(block + BlockHeaderDescriptor.OWNER_OFFSET) != tag) {
        problem(
            "block "
                + block
                + " header names owner "
                + mem.getLong(block + BlockHeaderDescriptor.OWNER_OFFSET)
                + " but descriptor "
                + i
                + " is "
                + tag);
      }
      if (cls < 0 && extentOwner.get(block) != tag) {
        problem(
            "extent at "
                + block
                + " is recorded for owner "
                + extentOwner.get(block)
                + ", not "
                + tag);
      }
    }
    for (Map.Entry<Long, Integer> b : allocated.entrySet()) {
      if (!blockOwner.containsKey(b.getKey())) {
        problem(
            "leaked block at "
                + b.getKey()
                + " ("
                + (b.getValue() >= 0 ? SizeClasses.size(b.getValue()) + " B slot" : "extent")
                + "): allocated but owned by no descriptor");
      }
    }
  }

  // ------------------------------------------------------------------ directory

  private void checkDirectory() {
    Set<Integer> reachable = new HashSet<>();
    int mask = layout.bucketCount - 1;
    for (int b = 0; b < layout.bucketCount; b++) {
      long bucket = layout.bucket(b);
      long w = mem.getLongAcquire(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
      long owner = mem.getLongAcquire(bucket + BucketDescriptor.LOCK_OFFSET);
      if (owner != 0 && !store.clients.isTokenAlive(owner)) {
        problem("bucket " + b + " is locked by dead client token=" + owner);
      }
      if (owner == 0 && BucketDescriptor.isWriting(w)) {
        problem("bucket " + b + " has an odd sequence but no lock holder");
      }
      Map<String, Integer> committedNames = new HashMap<>();
      int next = BucketDescriptor.head(w);
      for (int steps = 0; next != 0; steps++) {
        if (next < 0 || next > layout.maxObjects || steps > layout.maxObjects) {
          problem("bucket " + b + " chain is broken or cyclic at index " + (next - 1));
          break;
        }
        int i = next - 1;
        if (!reachable.add(i)) {
          problem("descriptor " + i + " is linked twice (bucket " + b + ")");
          break;
        }
        long d = layout.descriptor(i);
        int st = state(mem.getLongAcquire(d + CTL_OFFSET));
        if (st != WRITE && st != COMMITTED) {
          problem("bucket " + b + " chain holds descriptor " + i + " in state " + stateName(st));
        }
        if (((int) mem.getLong(d + HASH_OFFSET) & mask) != b) {
          problem(
              "descriptor "
                  + i
                  + " is in bucket "
                  + b
                  + " but its hash belongs to bucket "
                  + ((int) mem.getLong(d + HASH_OFFSET) & mask));
        }
        if (st == COMMITTED) {
          String name = store.directory.nameOf(d);
          Integer dup = committedNames.put(String.valueOf(name), i);
          if (dup != null) {
            problem("name=" + name + " is committed twice (descriptors " + dup + " and " + i + ")");
          }
        }
        next = mem.getInt(d + NEXT_OFFSET);
      }
    }
    for (int i = 0; i < layout.maxObjects; i++) {
      long d = layout.descriptor(i);
      int st = state(mem.getLongAcquire(d + CTL_OFFSET));
      if ((st == WRITE || st == COMMITTED) && !reachable.contains(i)) {
        problem(
            "descriptor "
                + i
                + " ("
                + stateName(st)
                + ", name="
                + store.directory.nameOf(d)
                + ") is in no bucket chain");
      }
    }
  }

  // ------------------------------------------------------------------ clients, journals, reader
  // counts

  /**
   * Pins on queue slots recorded in live clients' journals, by (queue, slot) key times 16 plus the
   * lap's low bits.
   */
  private final Map<Long, Long> slotPins = new HashMap<>();

  private static long slotKey(int queueIndex, int slot) {
    return ((long) queueIndex << 24) | slot;
  }

  private int checkClientsAndPins() {
    int dead = 0;
    Map<Long, Long> pins = new HashMap<>();
    for (int s = 0; s < layout.maxClients; s++) {
      long word = store.clients.slotWord(s);
      long st = ClientDescriptor.state(word);
      if (st == ClientDescriptor.STATE_FREE) {
        continue;
      }
      if (st == ClientDescriptor.STATE_RECOVERING) {
        dead++;
        problem(
            "client slot "
                + s
                + " is being recovered"
                + (store.clients.isTokenAlive(ClientDescriptor.recoverer(word))
                    ? ""
                    : " by a dead recoverer"));
        continue;
      }
      if (!store.clients.isSlotAlive(s, word)) {
        dead++;
        problem(
            "client slot "
                + s
                + " (pid "
                + ClientDescriptor.pid(word)
                + ") is dead and not recovered");
        continue;
      }
      for (int e = 0; e < layout.handlesPerClient; e++) {
        long entry = mem.getLongAcquire(layout.journal(s, e));
        long js = JournalDescriptor.state(entry);
        if (js == JournalDescriptor.EMPTY) {
          continue;
        }
        if (js == JournalDescriptor.PINNED && JournalDescriptor.isSlot(entry)) {
          // a reader's pin on queue slot: (queue index, slot, lap low bits)
          slotPins.merge(
              slotKey(JournalDescriptor.index(entry), JournalDescriptor.slot(entry)) * 16
                  + JournalDescriptor.slotLap(entry),
              1L,
              Long::sum);
        } else if (js == JournalDescriptor.PINNED) {
          pins.merge(
              ownerTag(JournalDescriptor.index(entry), JournalDescriptor.generation(entry)),
              1L,
              Long::sum);
        } else {
          problem(
              "client slot " + s + " journal entry " + e + " is pending (an operation in flight?)");
        }
      }
    }
    for (int i = 0; i < layout.maxObjects; i++) {
      long c = mem.getLongAcquire(layout.descriptor(i) + CTL_OFFSET);
      int st = state(c);
      if (st != COMMITTED && st != ZOMBIE) {
        continue;
      }
      long expected = pins.getOrDefault(ownerTag(i, generation(c)), 0L);
      if (count(c) != expected) {
        problem(
            "descriptor "
                + i
                + " ("
                + stateName(st)
                + ") counts "
                + count(c)
                + " readers but journals of live "
                + "clients hold "
                + expected
                + " pins");
      }
      if (st == ZOMBIE && count(c) == 0) {
        problem("descriptor " + i + " is a ZOMBIE with no readers: it should have been freed");
      }
    }
    return dead;
  }

  // ------------------------------------------------------------------ queues

  private void checkQueues(long[] counts) {
    for (int i = 0; i < layout.maxObjects; i++) {
      long d = layout.descriptor(i);
      long c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      if ((st != COMMITTED && st != ZOMBIE)
          || mem.getByte(d + KIND_OFFSET) != ValueKind.QUEUE.code()
          || mem.getLong(d + BLOCK_OFFSET) == 0) {
        continue;
      }
      checkQueue(i, ownerTag(i, generation(c)), counts);
    }
  }

  private void checkQueue(int index, long version, long[] counts) {
    String name = "queue " + store.directory.nameOf(layout.descriptor(index));
    QueueRing ring = QueueRing.ofDescriptor(store, index);
    if (ring == null) {
      problem(name + " has no valid queue header for its size");
      return;
    }
    long q = ring.q;
    int capacity = ring.capacity;
    if (mem.getLong(q + QueueDescriptor.QUEUE_VERSION_OFFSET) != version) {
      problem(
          name
              + " header version "
              + mem.getLong(q + QueueDescriptor.QUEUE_VERSION_OFFSET)
              + " != "
              + version);
    }
    long head = mem.getLongAcquire(ring.head);
    long tail = mem.getLongAcquire(ring.tail);
    if (head < 0 || tail < head || tail - head > capacity) {
      problem(name + " has head=" + head + " tail=" + tail + " capacity=" + capacity);
      return;
    }
    // Each slot's latest claimed position is in [tail - capacity, tail); slots with none (tail <
    // capacity) are EMPTY.
    for (long p = Math.max(0, tail - capacity); p < tail; p++) {
      if (checkPosition(name, ring, p, head)) {
        counts[1]++;
      }
    }
    for (long p = tail; p < capacity; p++) {
      long c = ring.ctl(ring.slotAt((int) p));
      if (QueueDescriptor.state(c) != QueueDescriptor.EMPTY || QueueDescriptor.lap(c) != 0) {
        problem(
            name
                + " position "
                + p
                + " (never claimed, tail "
                + tail
                + ") is "
                + QueueDescriptor.stateName(QueueDescriptor.state(c))
                + " lap "
                + QueueDescriptor.lap(c)
                + ", expected EMPTY lap 0");
      }
    }
    // Reader pins: each slot's count equals the live journals' pins on it.
    for (int i = 0; i < capacity; i++) {
      long pins = ring.pins(ring.slotAt(i));
      int lap = QueueDescriptor.pinsLap(pins);
      long expected =
          slotPins.getOrDefault(
              slotKey(index, i) * 16 + (lap & JournalDescriptor.SLOT_LAP_MASK), 0L);
      if (QueueDescriptor.pinsRecounting(pins)) {
        problem(name + " slot " + i + " is frozen for a recount");
      }
      if (QueueDescriptor.pinsCount(pins) != expected) {
        problem(
            name
                + " slot "
                + i
                + " counts "
                + QueueDescriptor.pinsCount(pins)
                + " readers in lap "
                + lap
                + " but journals of live clients hold "
                + expected
                + " pins");
      }
      long c = ring.ctl(ring.slotAt(i));
      int ctlLap = QueueDescriptor.lap(c);
      if (QueueDescriptor.pinsCount(pins) != 0 && lap != ctlLap) {
        problem(
            name
                + " slot "
                + i
                + " has "
                + QueueDescriptor.pinsCount(pins)
                + " readers in lap "
                + lap
                + " but its position is in lap "
                + ctlLap);
      }
      if (QueueDescriptor.state(c) == QueueDescriptor.RELEASED
          && QueueDescriptor.pinsCount(pins) == 0) {
        problem(name + " slot " + i + " is RELEASED with no reader: it should have been freed");
      }
    }
  }

  /**
   * Position {@code p}, claimed (below the tail): in the queue ({@code p >= head}) it is CLAIMED,
   * COMMITTED or SKIP; behind the head it is POPPED, REDELIVER or RELEASED (held until released, or
   * until its readers let go) or EMPTY for the next lap (free).
   *
   * @return whether it holds a committed entry
   */
  private boolean checkPosition(String name, QueueRing ring, long p, long head) {
    long c = ring.ctl(ring.slot(p));
    int lap = ring.lapOf(p);
    int st = QueueDescriptor.state(c);
    String where = name + " position " + p;
    if (QueueDescriptor.lap(c) == QueueDescriptor.nextLap(lap) && st == QueueDescriptor.EMPTY) {
      if (p >= head) {
        problem(where + " is released (EMPTY for the next lap) but not behind the head " + head);
      }
      return false;
    }
    if (QueueDescriptor.lap(c) != lap) {
      problem(where + " has lap " + QueueDescriptor.lap(c) + ", expected " + lap);
      return false;
    }
    if (st == QueueDescriptor.EMPTY) {
      problem(
          where
              + " is below the tail but EMPTY (a claimed position is never empty in its own lap)");
      return false;
    }
    boolean behind = p < head;
    boolean held =
        st == QueueDescriptor.POPPED
            || st == QueueDescriptor.REDELIVER
            || st == QueueDescriptor.RELEASED;
    // a consumer between its slot CAS and its head CAS leaves its position POPPED at the head
    boolean lateHead = p == head && st == QueueDescriptor.POPPED;
    if (behind != held && st != QueueDescriptor.REMOVING && !lateHead) {
      problem(
          where
              + " is "
              + QueueDescriptor.stateName(st)
              + (behind ? " behind" : " at or after")
              + " the head "
              + head);
    }
    if (st == QueueDescriptor.CLAIMED
        || st == QueueDescriptor.REMOVING
        || st == QueueDescriptor.POPPED) {
      if (!store.clients.isTokenAlive(QueueDescriptor.token(c))) {
        problem(
            where
                + " is "
                + QueueDescriptor.stateName(st)
                + " by dead client token="
                + QueueDescriptor.token(c));
      }
    }
    return st == QueueDescriptor.COMMITTED;
  }
}
