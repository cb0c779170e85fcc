package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.depot.ObjectExistsException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two clients put the same new name at once: exactly one wins, and the stored value is the
 * winner's.
 */
@JCStressTest
@Description("put(name, \"a\") on client A vs put(name, \"b\") on client B")
@Outcome(
    id = "1, 0, 1",
    expect = ACCEPTABLE,
    desc = "A won; B got ObjectExistsException; value is A's")
@Outcome(
    id = "0, 1, 2",
    expect = ACCEPTABLE,
    desc = "B won; A got ObjectExistsException; value is B's")
@Outcome(expect = FORBIDDEN, desc = "both or neither won, or the value is not the winner's")
@State
public class ConcurrentInsert {
  private final String name = Shared.freshName();

  @Actor
  public void a(III_Result r) {
    try {
      Shared.A.put(name, "a");
      r.r1 = 1;
    } catch (ObjectExistsException e) {
      r.r1 = 0;
    }
  }

  @Actor
  public void b(III_Result r) {
    try {
      Shared.B.put(name, "b");
      r.r2 = 1;
    } catch (ObjectExistsException e) {
      r.r2 = 0;
    }
  }

  @Arbiter
  public void arbiter(III_Result r) {
    String v = Shared.A.getString(name);
    r.r3 = v.equals("a") ? 1 : v.equals("b") ? 2 : 3;
    Shared.A.remove(name);
  }
}
