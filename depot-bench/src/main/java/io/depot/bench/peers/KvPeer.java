package io.depot.bench.peers;

/**
 * One key-value system as the peers workloads drive it: a put of a value under a key, and a get
 * that reads the value back and compares it with the expected bytes (a reader that does not look at
 * the value has not read it). Each implementation uses its library's ordinary API the way its
 * documentation shows.
 */
interface KvPeer extends AutoCloseable {
  /**
   * A key in both forms, built before timing: Depot names objects by string, the others by bytes.
   */
  record Key(int index, String name, byte[] bytes) {
    static Key of(String prefix, int index) {
      String name = prefix + index;
      return new Key(index, name, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /**
   * Stores {@code value} under {@code key}, durably for the next process to see (no fsync: all run
   * on tmpfs).
   */
  void put(Key key, byte[] value);

  /** Reads {@code key} and returns whether its value equals {@code expected}. */
  boolean getVerify(Key key, byte[] expected);

  /**
   * Stores {@code value} under {@code key}, replacing its value if it has one (the mixed workload).
   */
  default void replace(Key key, byte[] value) {
    put(key, value);
  }

  /**
   * Reads {@code key} once and returns the index of the candidate its value equals, or -1 (absent,
   * or none: a torn read). The mixed workload's readers, while writers replace the values.
   */
  default int getMatch(Key key, byte[][] candidates) {
    throw new UnsupportedOperationException("getMatch");
  }

  /** Removes {@code key} (the warm-up's cleanup). */
  void remove(Key key);

  /** Operations the peer batches per timed sample (1: each operation is timed on its own). */
  default int batch() {
    return 1;
  }

  /**
   * Operations of values of {@code size} bytes the warm-up runs at least, whatever its time (0:
   * time alone). A library whose hot path takes many calls to compile asks for more.
   */
  default long warmOps(int size) {
    return 0;
  }

  /** Puts a batch; the default puts one by one. */
  default void putAll(Key[] keys, byte[][] values, int from, int to) {
    for (int i = from; i < to; i++) {
      put(keys[i], values[i]);
    }
  }

  /** Gets and verifies a batch; the default gets one by one. */
  default boolean getVerifyAll(Key[] keys, byte[][] expected, int from, int to) {
    boolean ok = true;
    for (int i = from; i < to; i++) {
      ok &= getVerify(keys[i], expected[i]);
    }
    return ok;
  }

  /** Removes a batch; the default removes one by one. */
  default void removeAll(Key[] keys, int from, int to) {
    for (int i = from; i < to; i++) {
      remove(keys[i]);
    }
  }

  @Override
  void close();
}
