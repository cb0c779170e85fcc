package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryNotFoundException;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A reader holding an entry in place vs a consumer that pops and releases it and a producer that
 * wants its slot (capacity 1): while the reader holds it, the slot is not reused, so the reader's
 * bytes never change under it.
 */
@JCStressTest
@Description(
    "read(0) and read again on client A vs pop + release + tryPush on client B, capacity 1, entry 7")
@Outcome(
    id = "7, 0, 7",
    expect = ACCEPTABLE,
    desc = "A held the entry: B's push found the slot taken")
@Outcome(id = "7, 1, 7", expect = ACCEPTABLE, desc = "A let go before B's push")
@Outcome(id = "-1, 1, -1", expect = ACCEPTABLE, desc = "A came after the pop: nothing to read")
@Outcome(
    id = "-1, 0, -1",
    expect = ACCEPTABLE_INTERESTING,
    desc = "A's pin attempt, undone, still held the slot")
@Outcome(expect = FORBIDDEN, desc = "the entry changed under the reader, or the slot was lost")
@State
public class QueueReaderVsReuse extends QueueState {
  public QueueReaderVsReuse() {
    super(1);
    a.tryPush(value(7));
  }

  @Actor
  public void reader(III_Result r) {
    try (Entry e = a.read(0)) {
      r.r1 = (int) e.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
      Thread.onSpinWait();
      r.r3 = (int) e.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    } catch (EntryNotFoundException popped) {
      r.r1 = -1;
      r.r3 = -1;
    }
  }

  @Actor
  public void consumerThenProducer(III_Result r) {
    long popped = pop(b);
    if (popped != 7) {
      r.r2 = 99; // the entry was lost
      return;
    }
    r.r2 = b.tryPush(value(8)) == DepotQueue.FULL ? 0 : 1;
  }

  @org.openjdk.jcstress.annotations.Arbiter
  public void arbiter(III_Result r) {
    long left = pop(a);
    if (r.r2 == 0 && left != 0) {
      r.r2 = 98; // refused as full, yet an entry is there
    } else if (r.r2 == 1 && left != 8) {
      r.r2 = 97; // pushed, yet its entry is not there
    }
    cleanUp();
  }
}
