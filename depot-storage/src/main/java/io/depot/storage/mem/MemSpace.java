package io.depot.storage.mem;

import io.depot.storage.spi.BlobTrailer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A named in-process blob space ({@code mem://<space>/}): every provider of this JVM opened on the
 * same space sees the same blobs. Reference-counted by the root providers open on it; the blobs are
 * dropped when the last one closes.
 */
final class MemSpace {
  /** A stored blob: its bytes (never handed out, only copies or read-only views) and metadata. */
  record Blob(byte[] data, BlobTrailer meta) {}

  private static final Map<String, MemSpace> SPACES = new HashMap<>();

  final String name;

  /** Blobs by decoded URI path. */
  final ConcurrentMap<String, Blob> blobs = new ConcurrentHashMap<>();

  /** Guarded by {@link #SPACES}. */
  private int references;

  private MemSpace(String name) {
    this.name = name;
  }

  /** The space {@code name}, created if absent; pair with {@link #release()}. */
  static MemSpace acquire(String name) {
    synchronized (SPACES) {
      MemSpace space = SPACES.computeIfAbsent(name, MemSpace::new);
      space.references++;
      return space;
    }
  }

  /** Drops one reference; the last drops the space and its blobs. */
  void release() {
    synchronized (SPACES) {
      if (--references == 0) {
        SPACES.remove(name);
        blobs.clear();
      }
    }
  }
}
