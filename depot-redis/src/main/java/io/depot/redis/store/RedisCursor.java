package io.depot.redis.store;

import io.depot.DepotTimeoutException;
import io.depot.Entry;
import io.depot.HandleClosedException;
import io.depot.QueueCursor;
import java.time.Duration;
import java.util.Optional;

/**
 * A cursor on Redis: reads the stream from its position ({@code XRANGE}); waiting polls with a
 * back-off. A gap in the sequence numbers (entries popped, dropped or deleted before the cursor
 * came) counts as missed.
 */
final class RedisCursor implements QueueCursor {
  private final RedisQueue queue;
  private long position;
  private long missed;
  private boolean closed;

  RedisCursor(RedisQueue queue, long position) {
    this.queue = queue;
    this.position = position;
  }

  @Override
  public synchronized long position() {
    return position;
  }

  @Override
  public synchronized long missed() {
    return missed;
  }

  @Override
  public synchronized Optional<Entry> tryNext() {
    if (closed || queue.isClosed()) {
      throw new HandleClosedException("cursor is closed: queue=" + queue.name());
    }
    Optional<Entry> e = queue.firstFrom(position);
    if (e.isPresent()) {
      long seq = e.get().sequence();
      missed += seq - position;
      position = seq + 1;
    } else {
      queue.tailSequence(); // ObjectNotFoundException if the queue was removed
    }
    return e;
  }

  @Override
  public Entry next(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = 1;
    while (true) {
      Optional<Entry> e = tryNext();
      if (e.isPresent()) {
        return e.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new DepotTimeoutException(
            "no entry within timeout=" + timeout + ": queue=" + queue.name());
      }
      RedisObjectStore.sleep(Math.min(sleep, Math.max(1, left / 1_000_000)));
      sleep = Math.min(50, sleep * 2);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
