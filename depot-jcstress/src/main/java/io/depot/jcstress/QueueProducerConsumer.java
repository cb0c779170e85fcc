package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A push racing a pop on an empty queue: the pop sees nothing or the whole entry, and the entry is
 * never lost.
 */
@JCStressTest
@Description("tryPush(5) on client A vs tryPop on client B, empty queue")
@Outcome(id = "5, 0", expect = ACCEPTABLE, desc = "the pop got the entry")
@Outcome(
    id = "0, 5",
    expect = ACCEPTABLE,
    desc = "the pop found the queue empty; the entry is still there")
@Outcome(expect = FORBIDDEN, desc = "a torn value, or the entry lost or duplicated")
@State
public class QueueProducerConsumer extends QueueState {
  public QueueProducerConsumer() {
    super(2);
  }

  @Actor
  public void producer() {
    a.tryPush(value(5));
  }

  @Actor
  public void consumer(II_Result r) {
    r.r1 = (int) pop(b);
  }

  @Arbiter
  public void arbiter(II_Result r) {
    r.r2 = (int) pop(a) + (int) pop(a);
    cleanUp();
  }
}
