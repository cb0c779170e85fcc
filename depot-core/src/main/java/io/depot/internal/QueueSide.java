package io.depot.internal;

/**
 * What the producing and the consuming side of an open queue share: the handle, the ring and its
 * shared words, and the handle's helpers for signalling, damage and dead holders. Every method of a
 * side runs inside an operation of the handle that the caller entered ({@link ShmQueue}'s gate).
 */
abstract class QueueSide {
  static final int STUCK_LIMIT = ShmQueue.STUCK_LIMIT;

  final ShmQueue queue;
  final Store store;
  final Mem mem;
  final QueueRing ring;
  final String name;
  final int capacity;
  final long head;
  final long tail;
  final long notEmpty;
  final long notFull;
  final long redeliveries;

  QueueSide(ShmQueue queue) {
    this.queue = queue;
    this.store = queue.store();
    this.mem = store.mem;
    this.ring = queue.ring();
    this.name = queue.name();
    this.capacity = ring.capacity;
    this.head = ring.head;
    this.tail = ring.tail;
    this.notEmpty = ring.notEmpty;
    this.notFull = ring.notFull;
    this.redeliveries = ring.redeliveries;
  }

  final long slot(long position) {
    return ring.slot(position);
  }

  final io.depot.CorruptStoreException stuck(String where, long pos, long c) {
    return queue.stuck(where, pos, c);
  }

  final boolean blockedCheckDue() {
    return queue.blockedCheckDue();
  }

  final boolean recoverPosition(long position) {
    return queue.recoverPosition(position);
  }

  /** Wakes one sleeping consumer (and every cursor): one entry more can be popped. */
  final void notifyNotEmpty() {
    ring.signalNotEmpty(1);
  }

  /** Wakes every sleeping consumer: a position they may all be blocked at was resolved. */
  final void notifyAllNotEmpty() {
    ring.signalNotEmpty(Integer.MAX_VALUE);
  }

  /** Wakes one sleeping producer: one slot more is free. */
  final void notifyNotFull() {
    ring.signalNotFull(1);
  }
}
