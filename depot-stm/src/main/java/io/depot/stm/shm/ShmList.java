package io.depot.stm.shm;

import io.depot.Depot;
import io.depot.IdleStrategy;
import io.depot.InvalidArgumentException;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.stm.StmException;
import io.depot.stm.ValueTooLargeException;
import io.depot.stm.spi.BackendList;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * One list of a workflow in a Depot store: a header object (generation, head, deadline; {@link
 * ListDescriptor}) and one object per element, named by generation and index. Appending creates one
 * object and changes nothing else, so its cost does not grow with the length, and appenders never
 * contend on a shared word.
 *
 * <pre>
 * Concurrency:
 *  - Invariant: the elements of the live generation at indexes >= head are exactly [head, tail), contiguous. An
 *    element is created whole by Depot.compareAndSet(name, NO_VERSION, bytes) ("only if absent"), so of racing
 *    appenders at one index exactly one wins and the others move to the next index: no append is lost, none
 *    leaves a gap, and a process killed at any instruction leaves either its element or nothing.
 *  - The tail is not stored: it is found by galloping and binary search over which indexes exist (O(log n)
 *    directory lookups), valid because of the invariant (existence is monotone in the index), starting from the
 *    tail this handle saw last in the same generation (a shortcut only: see tail()).
 *  - The header changes only by compareAndSet (trim raises head, replace installs a new generation, expiry and
 *    persist change the deadline) and its versions never repeat, so "same version" means "unchanged".
 *  - An appender may read a header, lose the race to a trim that raises head past index i and removes element i,
 *    and then create element i again below the new head, where nobody reads it. So after creating an element the
 *    appender re-reads the header: if the generation changed or head passed its index, its element is dead; it
 *    removes it (garbage below head or in a dead generation is safe to remove unconditionally) and appends again.
 *    Otherwise its element is live: a later trim can only remove it by finding it first.
 *  - Readers find the tail, read the elements, then check that the header version did not change; if it did (a
 *    trim or replace may have removed what they read), they read again. A read is thus of one state of the list.
 *  - Replace writes the new generation's elements first (invisible: no header names them), then installs it with
 *    one compareAndSet of the header, then removes the generation it replaced (only that one: another replacer may
 *    be filling a generation of its own). A replacer killed half-way leaves unreachable elements, removed with the
 *    workflow's epoch (clear, end, expiry).
 *  - A trim keeps the newest n of the elements it found; appends that land between its search and its
 *    compareAndSet are kept too (they are ordered after it).
 * </pre>
 */
final class ShmList implements BackendList {
  /** Bytes reserved in a name for "/" + generation (11) + "/" + index (19 digits). */
  private static final int SUFFIX_BYTES = 32;

  private final ShmWorkflow workflow;
  private final Depot depot;
  private final String key;
  private final byte[] keyBytes;

  ShmList(ShmWorkflow workflow, Depot depot, String key) {
    this.workflow = workflow;
    this.depot = depot;
    this.key = key;
    this.keyBytes = key.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The names of this list in one epoch of its workflow, with the text of the generation last used
   * and a hint of the tail (both only ever shortcuts: see {@link #tail}).
   */
  static final class Names {
    final String epochPrefix;
    final String base;
    final String header;

    /** (generation, its text): the names of one generation are built without re-encoding it. */
    private volatile @Nullable GenerationText generationText;

    /**
     * (generation, an index i such that every index in [head, i) held an element of it at some
     * point).
     */
    private volatile @Nullable TailHint tailHint;

    /** The header last parsed (with its version). */
    private volatile @Nullable Header lastHeader;

    private record GenerationText(long generation, String prefix) {}

    private record TailHint(long generation, long tail) {}

    Names(String epochPrefix, String base) {
      this.epochPrefix = epochPrefix;
      this.base = base;
      this.header = base + "h";
    }

    String generationPrefix(long generation) {
      GenerationText t = generationText;
      if (t == null || t.generation != generation) {
        t = new GenerationText(generation, base + ObjectNames.epochText(generation) + "/");
        generationText = t;
      }
      return t.prefix;
    }

    String element(long generation, long index) {
      return generationPrefix(generation) + index;
    }

    /** The hinted tail of {@code generation} if it is past {@code head}, else {@code head}. */
    long hintedStart(long generation, long head) {
      TailHint h = tailHint;
      return h != null && h.generation == generation && h.tail > head ? h.tail : head;
    }

    void hint(long generation, long tail) {
      tailHint =
          new TailHint(
              generation, tail); // racy but benign: any past tail of the generation is a valid hint
    }
  }

  /** A header as read: its version and fields. */
  private record Header(long version, ListDescriptor.Fields fields) {
    long generation() {
      return fields.generation();
    }

    long head() {
      return fields.head();
    }

    long deadline() {
      return fields.deadline();
    }
  }

  /** The last names made (one epoch's), reused while the workflow stays in that epoch. */
  private volatile @Nullable Names cachedNames;

  private Names names(String epochPrefix, int prefixBytes) {
    Names n = cachedNames;
    if (n != null && n.epochPrefix.equals(epochPrefix)) {
      return n;
    }
    String base = epochPrefix + ObjectNames.keyPart(key, prefixBytes + SUFFIX_BYTES) + "/";
    n = new Names(epochPrefix, base);
    cachedNames = n;
    return n;
  }

  /** The names in the workflow's live epoch, or null if it has none. */
  private @Nullable Names names() {
    return workflow.listNames(this::names, false);
  }

  /** The names in the workflow's live epoch, starting the workflow if needed. */
  private Names namesStarting() {
    return Objects.requireNonNull(workflow.listNames(this::names, true)); // started: never null
  }

  /** Factory of names for an epoch: (key prefix, its UTF-8 length). */
  interface NameFactory<N> {
    N names(String epochPrefix, int prefixBytes);
  }

  private static IdleStrategy backoff() {
    return IdleStrategy.backoff(0, 4, 1_000, 2_000_000);
  }

  private static long newGeneration(long old) {
    long g;
    do {
      g = ThreadLocalRandom.current().nextLong();
    } while (g == 0 || g == old);
    return g;
  }

  // ------------------------------------------------------------------ header

  /**
   * The header now (expired or not), or null. A parsed copy is kept with its version: when the
   * version is unchanged (one directory lookup, no pin) it is returned as is, since versions never
   * repeat.
   */
  private @Nullable Header header(Names n) {
    for (; ; ) {
      long version = depot.version(n.header);
      if (version == Depot.NO_VERSION) {
        return null;
      }
      Header cached = n.lastHeader;
      if (cached != null && cached.version == version) {
        return cached;
      }
      Optional<ObjectHandle> oh = depot.tryGet(n.header);
      if (oh.isEmpty()) {
        continue; // removed meanwhile
      }
      try (ObjectHandle h = oh.get()) {
        ListDescriptor.Fields f = ListDescriptor.read(h.segment(), n.header);
        if (!f.key().equals(key)) {
          throw new StmException(
              "two lists share one hashed object name (a SHA-256 collision): list="
                  + Keys.abbreviate(key)
                  + " stored="
                  + Keys.abbreviate(f.key())
                  + " name="
                  + n.header);
        }
        Header parsed = new Header(h.version(), f);
        n.lastHeader = parsed;
        return parsed;
      }
    }
  }

  /** The header if the list is live (present and not expired), else null. */
  private @Nullable Header liveHeader(Names n) {
    Header h = header(n);
    return h == null || h.fields.expired(ShmBackend.now()) ? null : h;
  }

  private boolean exists(Names n, long generation, long index) {
    return depot.version(n.element(generation, index)) != Depot.NO_VERSION;
  }

  /**
   * The first absent index at or after {@code head}: galloping, then binary search (see the
   * invariant), from the tail last seen in this generation if it is past {@code head} (every index
   * in [head, hint) holds an element: they did once, and elements at or above head are removed only
   * with their generation), so an append by a process that appends repeatedly costs one or two
   * lookups.
   */
  private long tail(Names n, long generation, long head) {
    long start = n.hintedStart(generation, head);
    if (!exists(n, generation, start)) {
      return start;
    }
    long present = start;
    long step = 1;
    long absent;
    for (; ; ) {
      long probe = start + step;
      if (!exists(n, generation, probe)) {
        absent = probe;
        break;
      }
      present = probe;
      step <<= 1;
    }
    while (absent - present > 1) {
      long mid = (present + absent) >>> 1;
      if (exists(n, generation, mid)) {
        present = mid;
      } else {
        absent = mid;
      }
    }
    n.hint(generation, absent);
    return absent;
  }

  // ------------------------------------------------------------------ writing

  private byte[] encode(EncodedValue value) {
    int header = EnvelopeDescriptor.headerLength(value, 0, 0);
    long size = header + value.size();
    if (size > Integer.MAX_VALUE - 8) {
      throw new ValueTooLargeException(
          "element of size="
              + value.size()
              + " bytes is too large for a list: list="
              + Keys.abbreviate(key));
    }
    byte[] bytes = new byte[(int) size];
    MemorySegment seg = MemorySegment.ofArray(bytes);
    EnvelopeDescriptor.write(seg, value, 0, null, null, header);
    MemorySegment.copy(value.payload(), 0, seg, header, value.size());
    return bytes;
  }

  /** Creates {@code name} with {@code bytes} only if absent. */
  private boolean create(String name, byte[] bytes) {
    try {
      return depot.compareAndSet(name, Depot.NO_VERSION, bytes);
    } catch (InvalidArgumentException e) {
      throw new ValueTooLargeException(
          "element of size="
              + bytes.length
              + " bytes can never fit the store "
              + workflow.address()
              + ": list="
              + Keys.abbreviate(key),
          e);
    }
  }

  /**
   * The live header, installing a fresh one (new generation, head 0) if the list is absent or
   * expired.
   */
  private Header liveOrStart(Names n) {
    for (; ; ) {
      Header h = header(n);
      if (h != null && !h.fields.expired(ShmBackend.now())) {
        return h;
      }
      long generation = newGeneration(h == null ? 0 : h.generation());
      byte[] fresh = ListDescriptor.encode(generation, 0, 0, keyBytes);
      if (depot.compareAndSet(n.header, h == null ? Depot.NO_VERSION : h.version, fresh)) {
        if (h != null) {
          removeGeneration(n, h.generation());
        }
      }
    }
  }

  @Override
  public long append(List<EncodedValue> values) {
    List<byte[]> encoded = new ArrayList<>(values.size());
    for (EncodedValue v : values) {
      encoded.add(encode(v));
    }
    long length = 0;
    for (byte[] bytes : encoded) {
      length = appendOne(bytes);
    }
    return length;
  }

  private long appendOne(byte[] bytes) {
    IdleStrategy idle = null;
    for (; ; ) {
      Names n = namesStarting();
      Header h = liveOrStart(n);
      long index = tail(n, h.generation(), h.head());
      for (; ; ) {
        String name = n.element(h.generation(), index);
        if (create(name, bytes)) {
          Header now = header(n);
          if (now != null && now.version == h.version) {
            n.hint(h.generation(), index + 1);
            return index + 1 - h.head();
          }
          if (now != null
              && now.generation() == h.generation()
              && now.head() <= index
              && !now.fields.expired(ShmBackend.now())) {
            return index + 1 - now.head();
          }
          // A trim, replace, delete or expiry got in between: the element is below head or in a
          // dead generation.
          depot.remove(name);
          break;
        }
        index++; // another appender took this index
      }
      if (idle == null) {
        idle = backoff();
      }
      idle.idle();
    }
  }

  // ------------------------------------------------------------------ reading

  @Override
  public long size() {
    for (; ; ) {
      Names n = names();
      Header h = n == null ? null : liveHeader(n);
      if (n == null || h == null) {
        return 0;
      }
      long tail = tail(n, h.generation(), h.head());
      Header again = header(n);
      if (again != null && again.version == h.version) {
        return tail - h.head();
      }
      Thread.onSpinWait();
    }
  }

  @Override
  public List<StoredValue> last(long count) {
    IdleStrategy idle = null;
    for (; ; ) {
      Names n = names();
      Header h = n == null ? null : liveHeader(n);
      if (n == null || h == null) {
        return List.of();
      }
      long tail = tail(n, h.generation(), h.head());
      long from = Math.max(h.head(), tail - Math.min(count, tail - h.head()));
      List<StoredValue> out = new ArrayList<>((int) Math.min(tail - from, 1 << 16));
      boolean complete = true;
      for (long i = from; i < tail && complete; i++) {
        String name = n.element(h.generation(), i);
        Optional<ObjectHandle> oh = depot.tryGet(name);
        if (oh.isEmpty()) {
          complete = false;
        } else {
          out.add(ShmWorkflow.value(oh.get(), name));
        }
      }
      Header again = header(n);
      if (complete && again != null && again.version == h.version) {
        return out;
      }
      out.forEach(StoredValue::close);
      if (idle == null) {
        idle = backoff();
      }
      idle.idle();
    }
  }

  // ------------------------------------------------------------------ changing

  @Override
  public long trimToLast(long count) {
    IdleStrategy idle = null;
    for (; ; ) {
      Names n = names();
      Header h = n == null ? null : liveHeader(n);
      if (n == null || h == null) {
        return 0;
      }
      long tail = tail(n, h.generation(), h.head());
      long newHead = Math.max(h.head(), tail - count);
      if (newHead == h.head()) {
        return 0;
      }
      long deadline = newHead == tail ? 0 : h.deadline(); // an empty list has no TTL
      if (depot.compareAndSet(
          n.header,
          h.version,
          ListDescriptor.encode(h.generation(), newHead, deadline, keyBytes))) {
        for (long i = h.head(); i < newHead; i++) {
          depot.remove(n.element(h.generation(), i));
        }
        return newHead - h.head();
      }
      if (idle == null) {
        idle = backoff();
      }
      idle.idle();
    }
  }

  @Override
  public void replaceAll(List<EncodedValue> values) {
    if (values.isEmpty()) {
      delete();
      return;
    }
    List<byte[]> encoded = new ArrayList<>(values.size());
    for (EncodedValue v : values) {
      encoded.add(encode(v));
    }
    IdleStrategy idle = null;
    for (; ; ) {
      Names n = namesStarting();
      Header h = header(n);
      boolean live = h != null && !h.fields.expired(ShmBackend.now());
      long generation = newGeneration(h == null ? 0 : h.generation());
      for (int i = 0; i < encoded.size(); i++) {
        String name = n.element(generation, i);
        if (!create(name, encoded.get(i))) {
          throw new StmException("element of a fresh list generation exists already: name=" + name);
        }
      }
      byte[] header =
          ListDescriptor.encode(generation, 0, live && h != null ? h.deadline() : 0, keyBytes);
      if (depot.compareAndSet(n.header, h == null ? Depot.NO_VERSION : h.version, header)) {
        if (h != null) {
          removeGeneration(n, h.generation());
        }
        return;
      }
      removeGeneration(n, generation);
      if (idle == null) {
        idle = backoff();
      }
      idle.idle();
    }
  }

  @Override
  public boolean delete() {
    for (; ; ) {
      Names n = names();
      Header h = n == null ? null : header(n);
      if (n == null || h == null) {
        return false;
      }
      boolean had =
          !h.fields.expired(ShmBackend.now()) && tail(n, h.generation(), h.head()) > h.head();
      if (depot.remove(n.header, h.version)) {
        removeGeneration(n, h.generation());
        return had;
      }
    }
  }

  @Override
  public boolean expireAfter(Duration ttl) {
    return setDeadline(ShmBackend.now() + ttl.toMillis()) != null;
  }

  @Override
  public boolean persist() {
    Header old = setDeadline(0);
    return old != null && old.deadline() != 0;
  }

  /**
   * Sets the deadline of a live, non-empty list; returns the header it replaced, or null if none.
   */
  private @Nullable Header setDeadline(long deadline) {
    for (; ; ) {
      Names n = names();
      Header h = n == null ? null : liveHeader(n);
      if (n == null || h == null || tail(n, h.generation(), h.head()) == h.head()) {
        return null;
      }
      if (h.deadline() == deadline
          || depot.compareAndSet(
              n.header,
              h.version,
              ListDescriptor.encode(h.generation(), h.head(), deadline, keyBytes))) {
        return h;
      }
    }
  }

  @Override
  public OptionalLong ttlMillis() {
    Names n = names();
    Header h = n == null ? null : liveHeader(n);
    if (n == null
        || h == null
        || h.deadline() == 0
        || tail(n, h.generation(), h.head()) == h.head()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(1, h.deadline() - ShmBackend.now()));
  }

  // ------------------------------------------------------------------ reclaiming

  private void removeGeneration(Names n, long generation) {
    // Only ever a generation no header names any more (or one never installed): nobody reads or
    // writes it.
    for (ObjectInfo info : depot.list(n.generationPrefix(generation))) {
      depot.remove(info.name());
    }
  }

  @Override
  public String toString() {
    return "ShmList[" + Keys.abbreviate(key) + " of " + workflow + "]";
  }
}
