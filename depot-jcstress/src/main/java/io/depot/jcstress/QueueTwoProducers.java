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
 * Two producers race for the only free position: exactly one gets it, and its value is what comes
 * out.
 */
@JCStressTest
@Description("tryPush(1) on client A vs tryPush(2) on client B, capacity 1, empty queue")
@Outcome(id = "0, -1, 1", expect = ACCEPTABLE, desc = "A got position 0; B found the queue full")
@Outcome(id = "-1, 0, 2", expect = ACCEPTABLE, desc = "B got position 0; A found the queue full")
@Outcome(
    expect = FORBIDDEN,
    desc = "both or neither got a position, or the value is not the winner's")
@State
public class QueueTwoProducers extends QueueState {
  public QueueTwoProducers() {
    super(1);
  }

  @Actor
  public void producerA(III_Result r) {
    r.r1 = (int) a.tryPush(value(1));
  }

  @Actor
  public void producerB(III_Result r) {
    r.r2 = (int) b.tryPush(value(2));
  }

  @Arbiter
  public void arbiter(III_Result r) {
    r.r3 = (int) pop(a);
    if (a.tryPush(value(3)) == DepotQueue.FULL) {
      r.r3 = -100; // the ring must have room again
    }
    cleanUp();
  }
}
