package io.depot.internal;

import static io.depot.internal.ClientDescriptor.*;

import io.depot.TooManyClientsException;

/**
 * The client table: one slot per attached process.
 *
 * <pre>
 * Concurrency:
 *  - A slot is claimed by one CAS of its state word FREE(gen) -> CLAIMING(gen + 1, pid): the pid is in the word from
 *    the first instant, so a claimer killed right after the CAS is still recognisable as dead.
 *  - The start time is written next, then ATTACHED is release-stored: readers that see ATTACHED (acquire) see the
 *    start time.
 *  - Recovery of a dead slot is claimed by CAS ATTACHED/CLAIMING -> RECOVERING (same generation, same pid); a dead
 *    recoverer is detected by its own token in RECOVERER and the recovery is taken over.
 *  - Tokens carry the slot generation: a token whose generation is not the slot's current one is dead by
 *    definition, whatever process holds the slot now.
 * </pre>
 */
final class ClientTable {
  private final Store store;
  private final Mem mem;
  private final StoreLayout layout;

  ClientTable(Store store) {
    this.store = store;
    this.mem = store.mem;
    this.layout = store.layout;
  }

  /** Claims a slot for this process; returns the slot index. */
  int attach() {
    for (int round = 0; round < 2; round++) {
      for (int slot = 0; slot < layout.maxClients; slot++) {
        long c = layout.client(slot);
        long word = mem.getLongAcquire(c + STATE_OFFSET);
        if (state(word) != STATE_FREE) {
          continue;
        }
        int gen = (generation(word) + 1) & ((1 << GEN_BITS) - 1);
        if (gen == 0) {
          gen = 1;
        }
        long claiming = stateWord(STATE_CLAIMING, gen, ProcessInfo.selfPid());
        if (mem.compareAndSetLong(c + STATE_OFFSET, word, claiming)) {
          mem.putLong(c + START_TIME_OFFSET, ProcessInfo.selfStartTime());
          mem.putLong(c + ATTACH_MILLIS_OFFSET, System.currentTimeMillis());
          mem.putLong(c + RECOVERER_OFFSET, 0);
          mem.putLong(c + RECOUNTING_OFFSET, 0);
          mem.putLong(c + PUTS_OFFSET, 0);
          mem.putLong(c + GETS_OFFSET, 0);
          mem.putLong(c + REMOVES_OFFSET, 0);
          mem.putLongRelease(c + STATE_OFFSET, stateWord(STATE_ATTACHED, gen, ProcessInfo.selfPid()));
          return slot;
        }
      }
      // Full: reclaim the slots of dead processes, then look again.
      if (round == 0 && store.recoverDeadClients() == 0) {
        break;
      }
    }
    throw new TooManyClientsException(
        "all maxClients=" + layout.maxClients + " client slots are taken by live processes: " + store.pathString());
  }

  int slotGeneration(int slot) {
    return ClientDescriptor.generation(mem.getLongAcquire(layout.client(slot) + STATE_OFFSET));
  }

  /** Frees this process's slot (after its handles and claims are released). */
  void detach(int slot) {
    long c = layout.client(slot);
    long word = mem.getLongAcquire(c + STATE_OFFSET);
    mem.putLongRelease(c + STATE_OFFSET, stateWord(STATE_FREE, ClientDescriptor.generation(word), 0));
  }

  /** Whether the client holding {@code token} is attached and its process alive. */
  boolean isTokenAlive(long token) {
    int slot = slotOf(token);
    if (slot < 0 || slot >= layout.maxClients) {
      return false;
    }
    long word = mem.getLongAcquire(layout.client(slot) + STATE_OFFSET);
    if (ClientDescriptor.generation(word) != generationOf(token)) {
      return false;
    }
    return isSlotAlive(slot, word);
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

  /** Attached (or attaching) slots, live or not. */
  int countAttached() {
    int n = 0;
    for (int slot = 0; slot < layout.maxClients; slot++) {
      long st = state(slotWord(slot));
      if (st == STATE_ATTACHED || st == STATE_CLAIMING) {
        n++;
      }
    }
    return n;
  }

  void addStat(int slot, int fieldOffset) {
    long at = layout.client(slot) + fieldOffset;
    // Only this client writes its counters: an opaque read-modify-write is enough (no lost updates, no fence).
    mem.putLongOpaque(at, mem.getLongOpaque(at) + 1);
  }
}
