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
 * Two clients compare-and-set from the same version: exactly one succeeds and its value is stored.
 */
@JCStressTest
@Description(
    "compareAndSet(name, v0, \"x\") on client A vs compareAndSet(name, v0, \"y\") on client B")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "A's CAS won")
@Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "B's CAS won")
@Outcome(
    expect = FORBIDDEN,
    desc = "both or neither succeeded: a lost update or a spurious failure")
@State
public class CompareAndSetRace {
  private final String name = Shared.freshName();
  private final long v0;

  public CompareAndSetRace() {
    Shared.A.put(name, "v0");
    v0 = Shared.A.version(name);
  }

  @Actor
  public void a(III_Result r) {
    r.r1 = Shared.A.compareAndSet(name, v0, "x") ? 1 : 0;
  }

  @Actor
  public void b(III_Result r) {
    r.r2 = Shared.B.compareAndSet(name, v0, "y") ? 1 : 0;
  }

  @Arbiter
  public void arbiter(III_Result r) {
    String v = Shared.A.getString(name);
    r.r3 = v.equals("x") ? 1 : v.equals("y") ? 2 : 3;
    Shared.A.remove(name);
  }
}
