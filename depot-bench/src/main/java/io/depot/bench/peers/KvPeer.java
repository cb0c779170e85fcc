package io.depot.bench.peers;

/**
 * One key-value system as the peers workloads drive it: a put of a value under a key, and a get that reads the value
 * back and compares it with the expected bytes (a reader that does not look at the value has not read it). Each
 * implementation uses its library's ordinary API the way its documentation shows.
 */
interface KvPeer extends AutoCloseable {
  /** A key in both forms, built before timing: Depot names objects by string, the others by bytes. */
  record Key(int index, String name, byte[] bytes) {
    static Key of(String prefix, int index) {
      String name = prefix + index;
      return new Key(index, name, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Stores {@code value} under {@code key}, durably for the next process to see (no fsync: all run on tmpfs). */
  void put(Key key, byte[] value);

  /** Reads {@code key} and returns whether its value equals {@code expected}. */
  boolean getVerify(Key key, byte[] expected);

  /** Removes {@code key} (the warm-up's cleanup). */
  void remove(Key key);

  /** Operations the peer batches per timed sample (1: each operation is timed on its own). */
  default int batch() {
    return 1;
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

  @Override
  void close();
}
