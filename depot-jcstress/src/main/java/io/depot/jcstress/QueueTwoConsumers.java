package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/** Two consumers race for the only entry: exactly one gets it, and the queue is then empty. */
@JCStressTest
@Description("tryPop on client A vs tryPop on client B, one entry (value 7) in the queue")
@Outcome(id = "7, 0, 0", expect = ACCEPTABLE, desc = "A popped it")
@Outcome(id = "0, 7, 0", expect = ACCEPTABLE, desc = "B popped it")
@Outcome(expect = FORBIDDEN, desc = "popped twice, lost, or the queue is not empty afterwards")
@State
public class QueueTwoConsumers extends QueueState {
  public QueueTwoConsumers() {
    super(4);
    a.tryPush(value(7));
  }

  @Actor
  public void consumerA(III_Result r) {
    r.r1 = (int) pop(a);
  }

  @Actor
  public void consumerB(III_Result r) {
    r.r2 = (int) pop(b);
  }

  @Arbiter
  public void arbiter(III_Result r) {
    r.r3 = a.size() + (int) pop(a);
    cleanUp();
  }
}
