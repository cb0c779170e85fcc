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

/**
 * A pop racing a delete of the same entry: exactly one takes it out, and its memory is freed once.
 */
@JCStressTest
@Description("tryPop on client A vs deleteEntry(0) on client B, one entry (value 9) in the queue")
@Outcome(id = "9, 0, 0", expect = ACCEPTABLE, desc = "the pop won; the delete found nothing")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the delete won; the pop found nothing")
@Outcome(expect = FORBIDDEN, desc = "both or neither took it, or it is still in the queue")
@State
public class QueuePopVsDelete extends QueueState {
  public QueuePopVsDelete() {
    super(2);
    a.tryPush(value(9));
  }

  @Actor
  public void popper(III_Result r) {
    r.r1 = (int) pop(a);
  }

  @Actor
  public void deleter(III_Result r) {
    r.r2 = b.deleteEntry(0) ? 1 : 0;
  }

  @Arbiter
  public void arbiter(III_Result r) {
    // the entry is gone: nothing to pop (a deleted position is passed over), then nothing left in
    // the queue
    int popped = (int) pop(a);
    r.r3 = popped + a.size() + (a.readLatest().isPresent() ? 100 : 0);
    cleanUp();
  }
}
