package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.depot.DepotQueue;
import io.depot.Overflow;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Overwrite-oldest vs pop: in a full queue of capacity 1 that overwrites, a producer's push drops
 * the entry or a consumer's pop takes it, never both; a dropped entry is counted, a popped one is
 * not, and the new entry is never lost.
 */
@JCStressTest
@Description(
    "tryPush(8) on client B vs pop + release on client A, capacity 1, OVERWRITE_OLDEST, entry 7 queued")
@Outcome(id = "7, 1, 8, 0", expect = ACCEPTABLE, desc = "A popped and released 7, then B pushed 8")
@Outcome(
    id = "7, 0, 0, 0",
    expect = ACCEPTABLE,
    desc = "A held 7 (popped, not released): B found the queue full")
@Outcome(id = "8, 1, 0, 1", expect = ACCEPTABLE, desc = "B dropped 7 and pushed 8, then A popped 8")
@Outcome(
    id = "0, 1, 8, 1",
    expect = ACCEPTABLE,
    desc = "B dropped 7; A popped while 8 was claimed, not committed")
@Outcome(
    expect = FORBIDDEN,
    desc = "7 both popped and dropped, an entry lost, or a drop not counted")
@State
public class QueueOverwriteVsPop extends QueueState {
  public QueueOverwriteVsPop() {
    super(1, Overflow.OVERWRITE_OLDEST);
    a.tryPush(value(7));
  }

  @Actor
  public void consumer(IIII_Result r) {
    r.r1 = (int) pop(a);
  }

  @Actor
  public void producer(IIII_Result r) {
    r.r2 = b.tryPush(value(8)) == DepotQueue.FULL ? 0 : 1;
  }

  @Arbiter
  public void arbiter(IIII_Result r) {
    r.r3 = (int) pop(a);
    r.r4 = (int) a.dropped();
    cleanUp();
  }
}
