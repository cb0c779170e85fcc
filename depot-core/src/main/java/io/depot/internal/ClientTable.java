package io.depot.internal;

import static io.depot.internal.ClientDescriptor.*;

import io.depot.TooManyClientsException;

/**
 * The client table: one slot per attached process.
 *
 * <pre>
 * Concurrency:
 *  - A free slot is claimed by one CAS of its state word FREE(gen) -> CLAIMING(gen + 1, pid): the pid is in the word
 *    from the first instant, so a claimer killed right after the CAS is still recognisable as dead.
 *  - The start time is written next, then ATTACHED is release-stored (by the Store, once its journal is ready):
 *    readers that see ATTACHED (acquire) see the start time.
 *  - Recovery of a dead slot is claimed by CAS ATTACHED/CLAIMING(gen, pid) -> RECOVERING(gen, recoverer token); a
 *    dead recoverer's recovery is taken over by CAS RECOVERING(gen, dead token) -> RECOVERING(gen, own token). Only
 *    the holder of the RECOVERING word touches the slot's journal row.
 *  - When no slot is free, a dead slot is adopted: CAS from its dead word to CLAIMING(gen + 1, own pid), then
 *    ADOPTING is written (release) before any of the previous state is touched; the adopter recovers that state
 *    under its own token, clears ADOPTING and publishes ATTACHED. A dead adopter's slot is recovered like any dead
 *    slot, and its ADOPTING word tells that a recovery was under way.
 *  - Tokens carry the slot generation: a token whose generation is not the slot's current one, or whose slot is
 *    FREE or RECOVERING, is dead by definition, whatever process holds the slot now.
 * </pre>
 */
final class ClientTable {
  /** How long an attach waits for live recoverers to free a slot of a full table. */
  private static final long RECOVERING_WAIT_NANOS = 2_000_000_000L;

  private final Store store;
  private final Mem mem;
  private final StoreLayout layout;

  ClientTable(Store store) {
    this.store = store;
    this.mem = store.mem;
    this.layout = store.layout;
  }

  /**
   * A claimed slot, still CLAIMING: {@code adopted} if it was taken from a dead occupant whose
   * state the new occupant must recover (with a recount if {@code takeover}) before it publishes
   * itself.
   */
  record Claim(int slot, int generation, boolean adopted, boolean takeover) {}

  /** Claims a slot for this process: a free one, else a dead process's (adopted). */
  Claim attach() {
    long deadline = System.nanoTime() + RECOVERING_WAIT_NANOS;
    for (; ; ) {
      for (int slot = 0; slot < layout.maxClients; slot++) {
        long word = slotWord(slot);
        if (state(word) == STATE_FREE
            && mem.compareAndSetLong(
                layout.client(slot) + STATE_OFFSET,
                word,
                stateWord(
                    STATE_CLAIMING, nextGeneration(generation(word)), ProcessInfo.selfPid()))) {
          initFields(slot);
          return new Claim(slot, nextGeneration(generation(word)), false, false);
        }
      }
      // Full: adopt the slot of a dead process (or of a dead recoverer).
      boolean recovering = false;
      for (int slot = 0; slot < layout.maxClients; slot++) {
        long word = slotWord(slot);
        long st = state(word);
        long c = layout.client(slot);
        boolean takeover;
        if (st == STATE_RECOVERING) {
          if (isTokenAlive(recoverer(word))) {
            recovering = true; // will be FREE soon
            continue;
          }
          takeover = true;
        } else if ((st == STATE_ATTACHED || st == STATE_CLAIMING) && !isSlotAlive(slot, word)) {
          takeover = mem.getLongAcquire(c + ADOPTING_OFFSET) != 0;
        } else {
          continue;
        }
        int gen = nextGeneration(generation(word));
        if (mem.compareAndSetLong(
            c + STATE_OFFSET, word, stateWord(STATE_CLAIMING, gen, ProcessInfo.selfPid()))) {
          // Before anything of the previous state is touched: a recovery of it is under way.
          mem.putLongRelease(c + ADOPTING_OFFSET, ADOPT_STARTED | (takeover ? ADOPT_TAKEOVER : 0));
          initFields(slot);
          return new Claim(slot, gen, true, takeover);
        }
      }
      if (!recovering || System.nanoTime() - deadline > 0) {
        throw new TooManyClientsException(
            "all maxClients="
                + layout.maxClients
                + " client slots are taken by live processes: "
                + store.pathString());
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  private static int nextGeneration(int generation) {
    int gen = (generation + 1) & ((1 << GEN_BITS) - 1);
    return gen == 0 ? 1 : gen;
  }

  private void initFields(int slot) {
    long c = layout.client(slot);
    mem.putLong(c + START_TIME_OFFSET, ProcessInfo.selfStartTime());
    mem.putLong(c + ATTACH_MILLIS_OFFSET, System.currentTimeMillis());
    mem.putLong(c + RECOUNTING_OFFSET, 0);
    retireCount(c + PUTS_OFFSET, HeaderDescriptor.RETIRED_PUTS_OFFSET);
    retireCount(c + GETS_OFFSET, HeaderDescriptor.RETIRED_GETS_OFFSET);
    retireCount(c + REMOVES_OFFSET, HeaderDescriptor.RETIRED_REMOVES_OFFSET);
  }

  /**
   * Adds the previous occupant's count at {@code at} to the header's retired total, then zeroes it.
   */
  private void retireCount(long at, int retired) {
    long n = mem.getLongOpaque(at);
    if (n > 0) {
      mem.getAndAddLong(retired, n);
    }
    mem.putLongOpaque(at, 0);
  }

  /**
   * The store's operation totals since it was created: the retired counts plus every slot's (a
   * process's counts stay in its slot after it detaches). A slot being taken over may be counted
   * twice for an instant (added to the retired total, not yet zeroed); readers that need a
   * monotonic figure keep the highest they saw.
   *
   * @return puts, gets, removes
   */
  long[] operationTotals() {
    long[] t = {
      mem.getLongOpaque(HeaderDescriptor.RETIRED_PUTS_OFFSET),
      mem.getLongOpaque(HeaderDescriptor.RETIRED_GETS_OFFSET),
      mem.getLongOpaque(HeaderDescriptor.RETIRED_REMOVES_OFFSET)
    };
    for (int s = 0; s < layout.maxClients; s++) {
      long c = layout.client(s);
      t[0] += mem.getLongOpaque(c + PUTS_OFFSET);
      t[1] += mem.getLongOpaque(c + GETS_OFFSET);
      t[2] += mem.getLongOpaque(c + REMOVES_OFFSET);
    }
    return t;
  }

  /** Publishes this process's claimed slot: ATTACHED (the adopting word cleared first). */
  void publish(int slot, int generation) {
    long c = layout.client(slot);
    mem.putLongRelease(c + ADOPTING_OFFSET, 0);
    mem.putLongRelease(
        c + STATE_OFFSET, stateWord(STATE_ATTACHED, generation, ProcessInfo.selfPid()));
  }

  /** Frees this process's slot (after its handles and claims are released). */
  void detach(int slot) {
    long c = layout.client(slot);
    long word = mem.getLongAcquire(c + STATE_OFFSET);
    mem.putLongRelease(c + ADOPTING_OFFSET, 0);
    mem.putLongRelease(
        c + STATE_OFFSET, stateWord(STATE_FREE, ClientDescriptor.generation(word), 0));
  }

  /** Whether the client holding {@code token} is attached and its process alive. */
  boolean isTokenAlive(long token) {
    int slot = slotOf(token);
    if (slot < 0 || slot >= layout.maxClients) {
      return false;
    }
    long word = slotWord(slot);
    if (ClientDescriptor.generation(word) != generationOf(token)) {
      return false;
    }
    return isSlotAlive(slot, word);
  }

  /**
   * Whether {@code token} is dead by the client table alone (no look at {@code /proc}): its slot is
   * free, being recovered, or holds another generation.
   */
  boolean isTokenDetached(long token) {
    int slot = slotOf(token);
    if (slot < 0 || slot >= layout.maxClients) {
      return true;
    }
    long word = slotWord(slot);
    long st = state(word);
    return ClientDescriptor.generation(word) != generationOf(token)
        || st == STATE_FREE
        || st == STATE_RECOVERING;
  }

  /** Whether the process in {@code slot} (whose state word is {@code word}) is alive. */
  boolean isSlotAlive(int slot, long word) {
    long st = state(word);
    if (st == STATE_FREE || st == STATE_RECOVERING) {
      return false;
    }
    long pid = pid(word);
    if (pid == ProcessInfo.selfPid()) {
      // This process: alive, unless the slot belongs to an earlier incarnation of the pid.
      return st == STATE_CLAIMING
          || mem.getLong(layout.client(slot) + START_TIME_OFFSET) == ProcessInfo.selfStartTime();
    }
    if (st == STATE_CLAIMING) {
      return ProcessInfo.startTime(pid) != ProcessInfo.DEAD;
    }
    return ProcessInfo.isAlive(pid, mem.getLongAcquire(layout.client(slot) + START_TIME_OFFSET));
  }

  long slotWord(int slot) {
    return mem.getLongAcquire(layout.client(slot) + STATE_OFFSET);
  }

  /** The pid of the process that holds or held {@code token}, if its slot still says so; else 0. */
  long pidOf(long token) {
    int slot = slotOf(token);
    if (slot < 0 || slot >= layout.maxClients) {
      return 0;
    }
    long word = slotWord(slot);
    long st = state(word);
    return ClientDescriptor.generation(word) == generationOf(token)
            && (st == STATE_ATTACHED || st == STATE_CLAIMING)
        ? pid(word)
        : 0;
  }

  void addStat(int slot, int fieldOffset) {
    long at = layout.client(slot) + fieldOffset;
    // Only this client writes its counters: an opaque read-modify-write is enough (no lost updates,
    // no fence).
    mem.putLongOpaque(at, mem.getLongOpaque(at) + 1);
  }
}
