package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.depot.DepotQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A popped entry keeps its slot until it is released: in a queue of capacity 1, a push racing a
 * pop-and-release either finds the queue full (the entry not yet released) or succeeds, and then
 * its entry is there afterwards.
 */
@JCStressTest
@Description(
    "pop + release on client A vs tryPush on client B, capacity 1, one entry (7) in the queue")
@Outcome(id = "7, 0, 0", expect = ACCEPTABLE, desc = "B pushed before A's release: full")
@Outcome(id = "7, 1, 8", expect = ACCEPTABLE, desc = "B pushed after A's release")
@Outcome(
    expect = FORBIDDEN,
    desc = "A lost the entry, B pushed over an unreleased entry, or B's entry was lost")
@State
public class QueuePopReleaseVsPush extends QueueState {
  public QueuePopReleaseVsPush() {
    super(1);
    a.tryPush(value(7));
  }

  @Actor
  public void consumer(III_Result r) {
    r.r1 = (int) pop(a);
  }

  @Actor
  public void producer(III_Result r) {
    r.r2 = b.tryPush(value(8)) == DepotQueue.FULL ? 0 : 1;
  }

  @Arbiter
  public void arbiter(III_Result r) {
    r.r3 = (int) pop(a);
    cleanUp();
  }
}
