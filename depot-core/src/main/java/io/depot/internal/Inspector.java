package io.depot.internal;

import io.depot.Depot;

/**
 * Read-only views of a store's internals for tests, stress harnesses and {@code depot fsck}. Not
 * exported by the module; on the class path, callers must treat it as unstable.
 */
public final class Inspector {
  private Inspector() {}

  /**
   * The lifecycle state of the object whose {@linkplain io.depot.ObjectHandle#version() version}
   * was {@code version}: {@code "FREE"} once its descriptor is back in the pool or reused by
   * another object, else {@code "WRITE"}, {@code "COMMITTED"}, {@code "ZOMBIE"} or {@code
   * "FREEING"} with the reader count, e.g. {@code "ZOMBIE/1"}.
   */
  public static String state(Depot depot, long version) {
    Store store = ((ShmDepot) depot).store();
    int index = ObjectDescriptor.ownerIndex(version);
    int gen = ObjectDescriptor.ownerGeneration(version);
    long c = store.mem.getLongAcquire(store.layout.descriptor(index) + ObjectDescriptor.CTL_OFFSET);
    int st = ObjectDescriptor.state(c);
    if (ObjectDescriptor.generation(c) != gen || st == ObjectDescriptor.FREE) {
      return "FREE";
    }
    String name = ObjectDescriptor.stateName(st);
    return st == ObjectDescriptor.COMMITTED || st == ObjectDescriptor.ZOMBIE
        ? name + "/" + ObjectDescriptor.count(c)
        : name;
  }

  /**
   * Every descriptor (in any state but FREE) whose block names {@code name}: "index STATE/count gen
   * flags".
   */
  public static java.util.List<String> find(Depot depot, String name) {
    Store store = ((ShmDepot) depot).store();
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < store.layout.maxObjects; i++) {
      long d = store.layout.descriptor(i);
      long c = store.mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET);
      if (ObjectDescriptor.state(c) == ObjectDescriptor.FREE) {
        continue;
      }
      if (name.equals(store.directory.nameOf(d))) {
        out.add(
            i
                + " "
                + ObjectDescriptor.stateName(ObjectDescriptor.state(c))
                + "/"
                + ObjectDescriptor.count(c)
                + " gen="
                + ObjectDescriptor.generation(c)
                + " flags="
                + store.mem.getByte(d + ObjectDescriptor.FLAGS_OFFSET));
      }
    }
    return out;
  }

  /** The client table of {@code store} as the public API reports it. */
  static java.util.List<io.depot.ClientInfo> clients(Store store) {
    StoreLayout layout = store.layout;
    Mem mem = store.mem;
    java.util.List<io.depot.ClientInfo> out = new java.util.ArrayList<>();
    long[] claims = new long[layout.maxClients];
    for (int i = 0; i < layout.maxObjects; i++) {
      long c = mem.getLongAcquire(layout.descriptor(i) + ObjectDescriptor.CTL_OFFSET);
      if (ObjectDescriptor.state(c) == ObjectDescriptor.WRITE) {
        long owner = ObjectDescriptor.count(c);
        int s = ClientDescriptor.slotOf(owner);
        if (s >= 0
            && s < layout.maxClients
            && ClientDescriptor.generationOf(owner)
                == ClientDescriptor.generation(store.clients.slotWord(s))) {
          claims[s]++;
        }
      }
    }
    for (int s = 0; s < layout.maxClients; s++) {
      long word = store.clients.slotWord(s);
      long st = ClientDescriptor.state(word);
      if (st == ClientDescriptor.STATE_FREE) {
        continue;
      }
      long pins = 0;
      for (int e = 0; e < layout.handlesPerClient; e++) {
        if (JournalDescriptor.state(mem.getLongAcquire(layout.journal(s, e)))
            == JournalDescriptor.PINNED) {
          pins++;
        }
      }
      boolean recovering = st == ClientDescriptor.STATE_RECOVERING;
      out.add(
          new io.depot.ClientInfo(
              s,
              recovering ? 0 : ClientDescriptor.pid(word),
              ClientDescriptor.stateName(st),
              !recovering && store.clients.isSlotAlive(s, word),
              java.time.Instant.ofEpochMilli(
                  mem.getLong(layout.client(s) + ClientDescriptor.ATTACH_MILLIS_OFFSET)),
              claims[s],
              pins,
              s == store.slot,
              mem.getLongOpaque(layout.client(s) + ClientDescriptor.PUTS_OFFSET),
              mem.getLongOpaque(layout.client(s) + ClientDescriptor.GETS_OFFSET),
              mem.getLongOpaque(layout.client(s) + ClientDescriptor.REMOVES_OFFSET)));
    }
    return out;
  }

  /** Lock repairs this attachment performed (taking a lock over from a dead holder). */
  public static long lockRepairs(Depot depot) {
    return ((ShmDepot) depot).store().counters.lockRepairs.sum();
  }

  /** Dead clients this attachment recovered. */
  public static long recoveredClients(Depot depot) {
    return ((ShmDepot) depot).store().counters.recoveredClients.sum();
  }
}
