package io.depot.internal;

import static io.depot.internal.ObjectDescriptor.*;

import io.depot.CorruptStoreException;
import io.depot.IdleStrategy;
import io.depot.ObjectExistsException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The object directory: the descriptor table, its free-descriptor hint bitmap, and the hash buckets
 * that map names to descriptors.
 *
 * <pre>
 * Concurrency:
 *  - Claiming a descriptor is one CAS of its ctl, FREE(g) -> WRITE(g + 1, owner token): ownership is recorded by the
 *    very instruction that takes it. The hint bitmap only speeds the search; a stale bit costs a failed CAS.
 *  - Readers never lock. They read the bucket's seq/head word (acquire), walk the chain comparing hash and name,
 *    and return a (generation, index) pair for a COMMITTED match; the caller's pin CAS requires that generation, so
 *    a descriptor reused during the walk can never be pinned under the wrong name. A miss is only reported if the
 *    bucket word is even and unchanged after the walk (acquire fence, then re-read), as in a seqlock: no writer
 *    period overlapped the walk, so neither a descriptor reuse (which needs a period to end) nor a multi-step change
 *    (a replace commits the new object, then retires the old one) can have produced the miss. Misses under a writer
 *    wait for it; a dead writer's lock is broken and its chain repaired.
 *  - Writers (insert, unlink) take the bucket's robust lock, make the sequence odd, change the chain by single
 *    stores (so it is consistent at every instant, even if they are killed), and publish the new head with the even
 *    sequence in one release store.
 * </pre>
 */
final class Directory {
  private final Store store;
  private final Mem mem;
  private final StoreLayout layout;
  private final int bucketMask;
  private final AtomicInteger cursor;

  Directory(Store store) {
    this.store = store;
    this.mem = store.mem;
    this.layout = store.layout;
    this.bucketMask = layout.bucketCount - 1;
    int words = (int) Bitmaps.words(layout.maxObjects);
    // Spread the processes' searches over the table.
    this.cursor =
        new AtomicInteger((int) ((ProcessInfo.selfPid() * 0x9E3779B9L) & 0x7FFF_FFFF) % words);
  }

  /** Sets the hint bit of every FREE descriptor (others' bits are left as they are). */
  void rebuildHints() {
    rebuildHints(mem, layout);
  }

  /** Sets the hint bit of every FREE descriptor of the store mapped at {@code mem}. */
  static void rebuildHints(Mem mem, StoreLayout layout) {
    long words = Bitmaps.words(layout.maxObjects);
    for (long w = 0; w < words; w++) {
      long bits = 0;
      for (int b = 0; b < 64; b++) {
        long i = (w << 6) + b;
        if (i < layout.maxObjects
            && state(mem.getLongAcquire(layout.descriptor((int) i) + CTL_OFFSET)) == FREE) {
          bits |= 1L << b;
        }
      }
      if (bits != 0) {
        mem.getAndBitwiseOrLong(layout.descriptorHintOffset + w * 8, bits);
      }
    }
  }

  long descriptor(int index) {
    return layout.descriptor(index);
  }

  // ------------------------------------------------------------------ descriptors

  /**
   * Claims a FREE descriptor for this client: WRITE, next generation, owner token; its other fields
   * zeroed.
   *
   * @return the index, or -1 if every descriptor is in use
   */
  int claim() {
    int words = (int) Bitmaps.words(layout.maxObjects);
    int start = cursor.get();
    for (int i = 0; i < words; i++) {
      int w = start + i;
      if (w >= words) {
        w -= words;
      }
      long bits =
          mem.getLongOpaque(
              Bitmaps.word(layout.descriptorHintOffset, (long) w * Bitmaps.WORD_BITS));
      while (bits != 0) {
        int b = Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
        int index = w * Bitmaps.WORD_BITS + b;
        if (index >= layout.maxObjects) {
          break;
        }
        long d = layout.descriptor(index);
        long c = mem.getLongAcquire(d + CTL_OFFSET);
        if (state(c) == FREE) {
          long mine = ctl(nextGeneration(generation(c)), WRITE, store.token);
          if (mem.compareAndSetLong(d + CTL_OFFSET, c, mine)) {
            Bitmaps.clearAtomic(mem, layout.descriptorHintOffset, index);
            if (w != start) {
              cursor.set(w);
            }
            clearFields(d);
            return index;
          }
        } else {
          // Stale hint: clear it, then look again, since a concurrent free may have set the bit
          // just before.
          Bitmaps.clearAtomic(mem, layout.descriptorHintOffset, index);
          if (state(mem.getLongAcquire(d + CTL_OFFSET)) == FREE) {
            Bitmaps.setAtomic(mem, layout.descriptorHintOffset, index);
          }
        }
      }
    }
    return -1;
  }

  private void clearFields(long d) {
    mem.putInt(d + NEXT_OFFSET, 0);
    mem.putShort(d + NAME_LENGTH_OFFSET, 0);
    mem.putByte(d + KIND_OFFSET, 0);
    mem.putByte(d + FLAGS_OFFSET, 0);
    mem.putLong(d + HASH_OFFSET, 0);
    mem.putLong(d + BLOCK_OFFSET, 0);
    mem.putLong(d + BLOCK_SIZE_OFFSET, 0);
    mem.putLong(d + DATA_LENGTH_OFFSET, 0);
    mem.putLong(d + AUX_OFFSET, 0);
    mem.putLong(d + COMMIT_SEQ_OFFSET, 0);
  }

  /**
   * Returns a descriptor (owned by this client: WRITE or FREEING, its block already freed) to the
   * free pool. The FREE store is volatile so that the hint bit set after it can never be cleared by
   * a claimer that missed it.
   */
  void release(int index) {
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    mem.putLongVolatile(d + CTL_OFFSET, ctl(generation(c), FREE, 0));
    Bitmaps.setAtomic(mem, layout.descriptorHintOffset, index);
  }

  // ------------------------------------------------------------------ buckets

  long bucketOf(long hash) {
    return layout.bucket((int) hash & bucketMask);
  }

  /**
   * Finds the COMMITTED object named {@code name}.
   *
   * @return {@code generation << 32 | index}, or -1 if there is none
   */
  long lookup(byte[] name, long hash) {
    long bucket = bucketOf(hash);
    MemorySegment key = MemorySegment.ofArray(name);
    long prefix = prefix(name);
    long prefixMask = prefixMask(name.length);
    IdleStrategy idle = null;
    long nextCheck = 0;
    for (; ; ) {
      long w1 = mem.getLongAcquire(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
      // The head's block, and the start of the name in it: these loads do not wait for the head's
      // descriptor, so the two cache misses overlap (see BucketDescriptor). Read after w1, they
      // are as new as the chain it heads, or newer.
      long hint = mem.getLongAcquire(bucket + BucketDescriptor.HEAD_BLOCK_OFFSET);
      long hinted = hintedPrefix(hint);
      int next = BucketDescriptor.head(w1);
      boolean sane = true;
      for (int steps = 0; next != 0; steps++) {
        if (next < 0 || next > layout.maxObjects || steps > layout.maxObjects) {
          sane = false;
          break;
        }
        long d = layout.descriptor(next - 1);
        long c = mem.getLongAcquire(d + CTL_OFFSET);
        if (state(c) == COMMITTED
            && mem.getLong(d + HASH_OFFSET) == hash
            && mem.getShort(d + NAME_LENGTH_OFFSET) == name.length) {
          long block = mem.getLong(d + BLOCK_OFFSET);
          // The hinted prefix was read after w1, and an object reachable from w1 had its name
          // written before it was linked (links are at the head only), so before w1: if its block
          // is the hinted one, a mismatch is another name. Should the descriptor have been reused
          // during the walk, the unlink changed the bucket and a miss is retried below.
          boolean maybe = block != hint || ((hinted ^ prefix) & prefixMask) == 0;
          if (maybe && nameAt(block, key, name.length)) {
            return ((long) generation(c) << 32) | (next - 1);
          }
        }
        next = mem.getInt(d + NEXT_OFFSET);
      }
      // The chain reads above must complete before the re-read of the bucket word.
      VarHandle.acquireFence();
      long w2 = mem.getLongOpaque(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
      if (w1 == w2 && !BucketDescriptor.isWriting(w1)) {
        if (!sane) {
          throw new CorruptStoreException(
              "directory chain of bucket at offset " + bucket + " is corrupt");
        }
        return -1;
      }
      // A writer changed the bucket, or is changing it: a miss seen now may straddle two of its
      // steps (e.g. a
      // replace's new object still in WRITE, the old one already retired). Wait for it to finish,
      // then look again.
      // A writer holds the bucket for microseconds: check whether it died only every 10 ms of
      // waiting.
      if (BucketDescriptor.isWriting(w2)) {
        long now = System.nanoTime();
        if (idle == null) {
          idle = store.newIdleStrategy();
          nextCheck = now + WRITER_CHECK_NANOS;
        }
        idle.idle();
        if (now - nextCheck > 0) {
          nextCheck = now + WRITER_CHECK_NANOS;
          long dead = repairIfAbandoned(bucket);
          if (dead != 0) {
            store.recovery.recoverSoon(
                dead); // a reader ran into the dead writer: recover the rest it left
          }
        }
      }
    }
  }

  /**
   * Takes the bucket's lock over if its holder is dead, repairs the chain, and releases it. A
   * bucket whose sequence is odd with no lock holder at all (only a damaged file does that) is
   * repaired the same way.
   *
   * @return the dead holder's token if the lock was taken over from one, else 0
   */
  private long repairIfAbandoned(long bucket) {
    long lock = bucket + BucketDescriptor.LOCK_OFFSET;
    long dead = Locks.breakIfDead(store, lock);
    boolean taken =
        dead != 0
            || (BucketDescriptor.isWriting(
                    mem.getLongAcquire(bucket + BucketDescriptor.SEQ_HEAD_OFFSET))
                && Locks.tryAcquire(store, lock));
    if (taken) {
      repairChain(bucket);
      Locks.release(store, lock);
    }
    return dead;
  }

  /**
   * Whether descriptor {@code d}'s block holds {@code key}; false for anything out of bounds (a
   * racing reuse).
   */
  boolean nameEquals(long d, MemorySegment key, int length) {
    if (mem.getShort(d + NAME_LENGTH_OFFSET) != length) {
      return false;
    }
    return nameAt(mem.getLong(d + BLOCK_OFFSET), key, length);
  }

  /** Whether the block at {@code block} holds the name {@code key}; false for out of bounds. */
  private boolean nameAt(long block, MemorySegment key, int length) {
    long at = block + BlockHeaderDescriptor.NAME_OFFSET;
    if (block < layout.arenaOffset || !mem.inBounds(at, length)) {
      return false;
    }
    return MemorySegment.mismatch(mem.segment(), at, at + length, key, 0, length) < 0;
  }

  /** The first 8 bytes of a name (fewer if shorter, zero-filled) as a little-endian long. */
  private static long prefix(byte[] name) {
    long p = 0;
    for (int i = Math.min(name.length, 8) - 1; i >= 0; i--) {
      p = (p << 8) | (name[i] & 0xFF);
    }
    return p;
  }

  /** The bits of a {@link #prefix} that a name of {@code length} bytes fills. */
  private static long prefixMask(int length) {
    return length >= 8 ? -1L : (1L << (8 * length)) - 1;
  }

  /**
   * The 8 bytes where the block {@code hint} keeps its name (a block's header is at least 64
   * bytes), or 0 for a hint outside the arena (none, or a damaged file).
   */
  private long hintedPrefix(long hint) {
    long at = hint + BlockHeaderDescriptor.NAME_OFFSET;
    return hint >= layout.arenaOffset && mem.inBounds(at, 8) ? mem.getLong(at) : 0;
  }

  /**
   * Stores the hint of {@code bucket} (see {@link BucketDescriptor}): the block of descriptor
   * {@code head - 1}, or 0 for an empty chain. Under the bucket lock, before the release store that
   * publishes {@code head}.
   */
  private void hintHead(long bucket, int head) {
    long block =
        head > 0 && head <= layout.maxObjects
            ? mem.getLong(layout.descriptor(head - 1) + BLOCK_OFFSET)
            : 0;
    mem.putLong(bucket + BucketDescriptor.HEAD_BLOCK_OFFSET, block);
  }

  /**
   * Whether descriptor {@code d} has hash {@code hash} and name {@code key} (see {@link
   * #nameEquals}).
   */
  private boolean named(long d, long hash, MemorySegment key, int length) {
    return mem.getLong(d + HASH_OFFSET) == hash && nameEquals(d, key, length);
  }

  /**
   * {@link #find}'s result when the match is the chain's first descriptor (it has no predecessor).
   */
  private static final long AT_HEAD = -1;

  /** {@link #find}'s result when no descriptor of the chain matches. */
  private static final long NO_MATCH = -2;

  /** Whether a walk of a chain stops at descriptor {@code index}, at offset {@code d}. */
  @FunctionalInterface
  private interface Stop {
    boolean at(int index, long d);
  }

  /**
   * Walks the chain that starts at {@code head}, from the successor of {@code from} (a descriptor
   * of the chain, or {@link #AT_HEAD} to start at the head), to the first descriptor {@code stop}
   * accepts. Under the bucket lock only: no one else changes the links meanwhile, so they are read
   * plainly (the predicate makes its own ctl reads). At most {@code maxObjects + 1} descriptors are
   * visited, so a damaged chain with a cycle cannot hold the walk.
   *
   * @return the match's predecessor (a descriptor's offset, or {@link #AT_HEAD}), or {@link
   *     #NO_MATCH}; the match is {@link #successor}{@code (head, result) - 1}
   */
  private long find(int head, long from, Stop stop) {
    long pred = from;
    int next = successor(head, from);
    for (int steps = 0; next != 0 && steps <= layout.maxObjects; steps++) {
      long d = layout.descriptor(next - 1);
      if (stop.at(next - 1, d)) {
        return pred;
      }
      pred = d;
      next = mem.getInt(d + NEXT_OFFSET);
    }
    return NO_MATCH;
  }

  /**
   * The link after {@code pred} (a descriptor's offset, or {@link #AT_HEAD}) in the chain from
   * {@code head}.
   */
  private int successor(int head, long pred) {
    return pred == AT_HEAD ? head : mem.getInt(pred + NEXT_OFFSET);
  }

  private void lockBucket(long bucket) {
    if (Locks.acquire(store, bucket + BucketDescriptor.LOCK_OFFSET)) {
      repairChain(bucket);
    }
    long w = mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
    mem.putLongOpaque(
        bucket + BucketDescriptor.SEQ_HEAD_OFFSET,
        BucketDescriptor.word(BucketDescriptor.seq(w) | 1, BucketDescriptor.head(w)));
    // The odd sequence must be visible before any chain store.
    VarHandle.storeStoreFence();
  }

  private void unlockBucket(long bucket, int head) {
    long w = mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
    if (head != BucketDescriptor.head(w)) {
      hintHead(bucket, head);
    }
    long seq = (BucketDescriptor.seq(w) | 1) + 1;
    mem.putLongRelease(
        bucket + BucketDescriptor.SEQ_HEAD_OFFSET, BucketDescriptor.word(seq & 0xFFFF_FFFFL, head));
    Locks.release(store, bucket + BucketDescriptor.LOCK_OFFSET);
  }

  /**
   * Links the WRITE descriptor {@code index} (its name, hash and block already written) into its
   * bucket, reserving the name. A name held in WRITE by a process that died is recovered on the
   * spot (see {@link Recovery#recoverIfDead}), and the link tried again.
   *
   * @throws ObjectExistsException if, unless {@code replace}, an object of that name is committed,
   *     or being written by a live process (named by its pid)
   */
  void insert(int index, byte[] name, long hash, boolean replace, String displayName) {
    for (; ; ) {
      long writer = link(index, name, hash, replace, displayName);
      if (writer == LINKED) {
        return;
      }
      if (!store.recovery.recoverIfDead(writer)) {
        long pid = store.clients.pidOf(writer);
        throw new ObjectExistsException(
            "object already being written by "
                + (pid != 0 ? "pid=" + pid : "a process whose recovery is still in progress")
                + ": name="
                + displayName);
      }
    }
  }

  private static final long LINKED = -1;

  /** How long a reader waits for a bucket's writer before it checks whether the writer died. */
  private static final long WRITER_CHECK_NANOS = 10_000_000L;

  /**
   * Links {@code index} into its bucket unless the name is taken.
   *
   * @return {@link #LINKED}, or the token of the client holding the name in WRITE (nothing linked)
   * @throws ObjectExistsException if the name is committed (and not {@code replace})
   */
  private long link(int index, byte[] name, long hash, boolean replace, String displayName) {
    long bucket = bucketOf(hash);
    MemorySegment key = MemorySegment.ofArray(name);
    lockBucket(bucket);
    int head = BucketDescriptor.head(mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET));
    try {
      if (!replace) {
        long pred =
            find(
                head,
                AT_HEAD,
                (i, d) -> {
                  int st = state(mem.getLongAcquire(d + CTL_OFFSET));
                  return (st == COMMITTED || st == WRITE) && named(d, hash, key, name.length);
                });
        if (pred != NO_MATCH) {
          // Read again: under the lock the match stays WRITE or COMMITTED, but a create may have
          // committed since
          // (its commit is a CAS without the lock); then the name is taken as if the walk had come
          // a moment later.
          long c = mem.getLongAcquire(layout.descriptor(successor(head, pred) - 1) + CTL_OFFSET);
          if (state(c) == WRITE) {
            return count(c);
          }
          throw new ObjectExistsException("object already exists: name=" + displayName);
        }
      }
      mem.putInt(layout.descriptor(index) + NEXT_OFFSET, head);
      head = index + 1;
      return LINKED;
    } finally {
      unlockBucket(bucket, head);
    }
  }

  /** Commit unconditionally. */
  static final long ANY_VERSION = -1;

  /**
   * Commits the WRITE descriptor {@code index}. With {@code replace}, also retires every other
   * committed object of the same name, in the same bucket period, so readers see the old value or
   * the new one, never neither. With an {@code expectedVersion} other than {@link #ANY_VERSION},
   * commits only if the committed object of that name has that version ({@code 0}: none is
   * committed).
   *
   * @return descriptors this call moved to FREEING (their blocks are for the caller to free),
   *     possibly empty; or {@code null} if the expected version did not match (the descriptor is
   *     left in WRITE)
   */
  int[] commit(int index, boolean replace, long expectedVersion) {
    long d = layout.descriptor(index);
    if (!replace && expectedVersion == ANY_VERSION) {
      long c = mem.getLongAcquire(d + CTL_OFFSET);
      // Release semantics of the CAS publish the block's contents to every reader that acquires the
      // ctl. A replace
      // that supersedes this create sets a bit of the ctl under the bucket lock: then the CAS
      // fails.
      if (superseded(c)
          || !mem.compareAndSetLong(d + CTL_OFFSET, c, ctl(generation(c), COMMITTED, 0))) {
        c = mem.getLongAcquire(d + CTL_OFFSET);
        if (superseded(c)) {
          throw new ObjectExistsException(
              "object already exists (a replace committed it while this put was "
                  + "writing): name="
                  + nameOf(d));
        }
        throw new InvariantViolation(
            "descriptor " + index + " changed under its writer: ctl=" + Long.toHexString(c));
      }
      return NONE;
    }
    long hash = mem.getLong(d + HASH_OFFSET);
    int nameLength = mem.getShort(d + NAME_LENGTH_OFFSET);
    long block = mem.getLong(d + BLOCK_OFFSET);
    MemorySegment key = mem.slice(block + BlockHeaderDescriptor.NAME_OFFSET, nameLength);
    long bucket = bucketOf(hash);
    lockBucket(bucket);
    int head = BucketDescriptor.head(mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET));
    int[] freed = NONE;
    int flags = mem.getByte(d + FLAGS_OFFSET);
    try {
      if (expectedVersion != ANY_VERSION
          && currentVersion(head, hash, key, nameLength) != expectedVersion) {
        return null;
      }
      // Creates of this name still being written will fail at their commit (they cannot commit from
      // now on, as
      // their commit CAS must see the bit this sets).
      for (int next = head, steps = 0; next != 0 && steps <= layout.maxObjects; steps++) {
        long od = layout.descriptor(next - 1);
        if (next - 1 != index && named(od, hash, key, nameLength)) {
          supersedeCreate(od);
        }
        next = mem.getInt(od + NEXT_OFFSET);
      }
      // Should this writer die between the commit and the end of the retire loop, the repair of
      // this bucket knows
      // by this flag which of the two committed objects of the name is the new one (see
      // repairChain).
      mem.putByte(d + FLAGS_OFFSET, flags | FLAG_COMMITTING);
      long c =
          mem.getLongAcquire(d + CTL_OFFSET); // under the lock: no replace can supersede it now
      if (!mem.compareAndSetLong(d + CTL_OFFSET, c, ctl(generation(c), COMMITTED, 0))) {
        throw new InvariantViolation(
            "descriptor " + index + " changed under its writer: ctl=" + Long.toHexString(c));
      }
      long pred = AT_HEAD;
      for (int next = head, steps = 0; next != 0 && steps <= layout.maxObjects; steps++) {
        int i = next - 1;
        long od = layout.descriptor(i);
        next = mem.getInt(od + NEXT_OFFSET);
        if (i != index && named(od, hash, key, nameLength)) {
          int outcome = retire(od, false);
          if (outcome != NOT_COMMITTED) {
            head = unlink(head, pred, next);
            if (outcome == RETIRED_FREEING) {
              freed = append(freed, i);
            }
            continue;
          }
        }
        pred = od;
      }
    } finally {
      mem.putByte(d + FLAGS_OFFSET, flags); // published by the unlock's release store
      unlockBucket(bucket, head);
    }
    return freed;
  }

  /**
   * Marks a create (a WRITE descriptor without {@link ObjectDescriptor#FLAG_REPLACE}) SUPERSEDED,
   * so that its commit fails; a create that committed meanwhile is left COMMITTED, for the retire
   * loop. Under the bucket lock.
   */
  private void supersedeCreate(long d) {
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    while (state(c) == WRITE
        && !superseded(c)
        && (mem.getByte(d + FLAGS_OFFSET) & FLAG_REPLACE) == 0) {
      long seen = mem.compareAndExchangeLong(d + CTL_OFFSET, c, c | SUPERSEDED);
      if (seen == c) {
        return;
      }
      c = seen;
    }
  }

  /**
   * The version of the committed object named {@code key} in the chain from {@code head}, or 0.
   * Under the lock.
   */
  private long currentVersion(int head, long hash, MemorySegment key, int nameLength) {
    long pred =
        find(
            head,
            AT_HEAD,
            (i, od) ->
                state(mem.getLongAcquire(od + CTL_OFFSET)) == COMMITTED
                    && named(od, hash, key, nameLength));
    if (pred == NO_MATCH) {
      return 0;
    }
    // Read again: under the lock a COMMITTED descriptor of the chain stays COMMITTED with its
    // generation (a retire
    // takes the lock, and a reuse needs an unlink first).
    int i = successor(head, pred) - 1;
    return ownerTag(i, generation(mem.getLongAcquire(layout.descriptor(i) + CTL_OFFSET)));
  }

  static final int[] NONE = new int[0];
  static final int NOT_COMMITTED = 0;
  static final int RETIRED_ZOMBIE = 1;
  static final int RETIRED_FREEING = 2;

  private static int[] append(int[] a, int v) {
    int[] b = java.util.Arrays.copyOf(a, a.length + 1);
    b[a.length] = v;
    return b;
  }

  /**
   * Moves a COMMITTED descriptor to ZOMBIE, or straight to FREEING (owned by this client) if no
   * reader holds it or {@code force}.
   */
  private int retire(long d, boolean force) {
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      if (state(c) != COMMITTED) {
        return NOT_COMMITTED;
      }
      if (recounting(c)) {
        store.recovery.awaitRecount(d);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      boolean free = force || count(c) == 0;
      long n = free ? with(c, FREEING, store.token) : with(c, ZOMBIE, count(c));
      long seen = mem.compareAndExchangeLong(d + CTL_OFFSET, c, n);
      if (seen == c) {
        return free ? RETIRED_FREEING : RETIRED_ZOMBIE;
      }
      c = seen;
    }
  }

  /**
   * Unlinks the descriptor after {@code pred} (or the head) whose successor is {@code next};
   * returns the head.
   */
  private int unlink(int head, long pred, int next) {
    if (pred < 0) {
      return next;
    }
    mem.putIntRelease(pred + NEXT_OFFSET, next);
    return head;
  }

  /** {@link #remove}'s result when nothing was removed. */
  static final long NOT_REMOVED = -1;

  /** In a {@link #remove} result: the call moved the object to FREEING. */
  private static final long FREED_NOW = 1L << 62;

  private static long removed(int index, boolean freedNow) {
    return Integer.toUnsignedLong(index) | (freedNow ? FREED_NOW : 0);
  }

  /** The descriptor index of a {@link #remove} result other than {@link #NOT_REMOVED}. */
  static int removedIndex(long result) {
    return (int) result;
  }

  /**
   * Whether the {@link #remove} that gave {@code result} moved the object to FREEING (its caller
   * frees it).
   */
  static boolean freedNow(long result) {
    return result != NOT_REMOVED && (result & FREED_NOW) != 0;
  }

  /**
   * Removes the committed object {@code name} if it has version {@code expectedVersion} (or any,
   * {@link #ANY_VERSION}). The version check and the retire happen under the bucket lock, which
   * every commit of that name also takes, so no newer object of the name can be committed in
   * between.
   *
   * @return {@link #NOT_REMOVED} if none (or another version); else a result whose {@link
   *     #removedIndex} is the descriptor and whose {@link #freedNow} says that this call moved it
   *     to FREEING (the caller frees it)
   */
  long remove(byte[] name, long hash, boolean force, long expectedVersion) {
    long bucket = bucketOf(hash);
    MemorySegment key = MemorySegment.ofArray(name);
    lockBucket(bucket);
    int head = BucketDescriptor.head(mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET));
    try {
      Stop sameName = (i, d) -> named(d, hash, key, name.length);
      long pred = find(head, AT_HEAD, sameName);
      // At most maxObjects + 1 matches: a damaged chain that cycles through an uncommitted
      // descriptor of the name
      // ends this loop as find's bound ends a walk.
      for (int matches = 0; pred != NO_MATCH && matches <= layout.maxObjects; matches++) {
        int i = successor(head, pred) - 1;
        long d = layout.descriptor(i);
        long c = mem.getLongAcquire(d + CTL_OFFSET);
        if (expectedVersion != ANY_VERSION) {
          if (state(c) != COMMITTED) {
            // A put still writing: it cannot be the expected version (a claim takes a new
            // generation), and it may
            // commit before retire reads its ctl, which must then not retire it. The next of the
            // name.
            pred = find(head, d, sameName);
            continue;
          }
          if (ownerTag(i, generation(c)) != expectedVersion) {
            return NOT_REMOVED; // the committed object of this name is another one
          }
          // committed with the expected version: under the bucket lock it stays so until retire
          // below
        }
        int outcome = retire(d, force);
        if (outcome != NOT_COMMITTED) {
          head = unlink(head, pred, mem.getInt(d + NEXT_OFFSET));
          return removed(i, outcome == RETIRED_FREEING);
        }
        pred = find(head, d, sameName); // not committed (a put still writing): the next of the name
      }
      return NOT_REMOVED;
    } finally {
      unlockBucket(bucket, head);
    }
  }

  /**
   * Unlinks the WRITE descriptor {@code index} of this client (an aborted claim) from its bucket.
   */
  void unlinkWrite(int index) {
    long d = layout.descriptor(index);
    long bucket = bucketOf(mem.getLong(d + HASH_OFFSET));
    lockBucket(bucket);
    int head = BucketDescriptor.head(mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET));
    try {
      long pred = find(head, AT_HEAD, (i, od) -> i == index);
      if (pred != NO_MATCH) {
        head = unlink(head, pred, mem.getInt(d + NEXT_OFFSET));
      }
    } finally {
      unlockBucket(bucket, head);
    }
  }

  /**
   * After taking a bucket lock over from a dead writer: drop from the chain every descriptor that
   * does not belong (not WRITE or COMMITTED, out of range, or a cycle), and leave the sequence
   * odd-free for the new holder.
   */
  private void repairChain(long bucket) {
    long w = mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
    int head = BucketDescriptor.head(w);
    int committing = committingIn(head);
    long cd = committing < 0 ? 0 : layout.descriptor(committing);
    int newHead = 0;
    long tail = -1;
    int kept = 0;
    for (int next = head, steps = 0; next != 0; steps++) {
      if (next < 0 || next > layout.maxObjects || steps > layout.maxObjects) {
        break;
      }
      int i = next - 1;
      long d = layout.descriptor(i);
      next = mem.getInt(d + NEXT_OFFSET);
      int st = state(mem.getLongAcquire(d + CTL_OFFSET));
      if (st == COMMITTED && committing >= 0 && i != committing && sameName(d, cd)) {
        // The dead writer committed the new object of this name but did not retire this older one:
        // finish it.
        if (retire(d, false) == RETIRED_FREEING) {
          store.freeObject(i);
        }
        continue;
      }
      if (st == WRITE || st == COMMITTED) {
        if (tail < 0) {
          newHead = i + 1;
        } else {
          mem.putIntRelease(tail + NEXT_OFFSET, i + 1);
        }
        tail = d;
        kept++;
      }
    }
    if (tail >= 0) {
      mem.putIntRelease(tail + NEXT_OFFSET, 0);
    }
    hintHead(bucket, newHead);
    long seq = (BucketDescriptor.seq(w) | 1) + 1;
    mem.putLongRelease(
        bucket + BucketDescriptor.SEQ_HEAD_OFFSET,
        BucketDescriptor.word(seq & 0xFFFF_FFFFL, newHead));
    if (committing >= 0) {
      mem.putByte(cd + FLAGS_OFFSET, mem.getByte(cd + FLAGS_OFFSET) & ~FLAG_COMMITTING);
    }
    store.counters.lockRepairs.increment();
    assert kept >= 0;
  }

  /**
   * The COMMITTED descriptor of the chain from {@code head} whose writer died inside its commit, or
   * -1.
   */
  private int committingIn(int head) {
    for (int next = head, steps = 0;
        next > 0 && next <= layout.maxObjects && steps <= layout.maxObjects;
        steps++) {
      long d = layout.descriptor(next - 1);
      if ((mem.getByte(d + FLAGS_OFFSET) & FLAG_COMMITTING) != 0
          && state(mem.getLongAcquire(d + CTL_OFFSET)) == COMMITTED) {
        return next - 1;
      }
      next = mem.getInt(d + NEXT_OFFSET);
    }
    return -1;
  }

  /** Whether descriptors {@code d} and {@code other} name the same object (hash and name bytes). */
  private boolean sameName(long d, long other) {
    if (mem.getLong(d + HASH_OFFSET) != mem.getLong(other + HASH_OFFSET)) {
      return false;
    }
    int length = mem.getShort(other + NAME_LENGTH_OFFSET);
    long block = mem.getLong(other + BLOCK_OFFSET);
    if (block < layout.arenaOffset
        || !mem.inBounds(block + BlockHeaderDescriptor.NAME_OFFSET, length)) {
      return false;
    }
    return nameEquals(d, mem.slice(block + BlockHeaderDescriptor.NAME_OFFSET, length), length);
  }

  /** Takes over bucket locks held by dead clients, repairing each chain. */
  void repairAbandoned() {
    for (int b = 0; b < layout.bucketCount; b++) {
      long bucket = layout.bucket(b);
      if (mem.getLongOpaque(bucket + BucketDescriptor.LOCK_OFFSET) != 0) {
        repairIfAbandoned(bucket);
      }
    }
  }

  /** Reads the name of descriptor {@code d} (UTF-8), or null if its block is out of bounds. */
  String nameOf(long d) {
    int length = mem.getShort(d + NAME_LENGTH_OFFSET);
    long block = mem.getLong(d + BLOCK_OFFSET);
    long at = block + BlockHeaderDescriptor.NAME_OFFSET;
    if (block < layout.arenaOffset || !mem.inBounds(at, length)) {
      return null;
    }
    return new String(
        mem.slice(at, length).toArray(ValueLayout.JAVA_BYTE),
        java.nio.charset.StandardCharsets.UTF_8);
  }
}
