package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.depot.ObjectHandle;
import java.util.Optional;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A replace racing a get: the reader sees the old value or the new one, never neither; the old one
 * is freed.
 */
@JCStressTest
@Description("replace(name, new) on client A vs get(name) on client B")
@Outcome(
    id = "1, 2, 0",
    expect = ACCEPTABLE,
    desc = "reader saw the old value; the old block was freed after it")
@Outcome(id = "2, 2, 0", expect = ACCEPTABLE, desc = "reader saw the new value")
@Outcome(id = "0, .*, .*", expect = FORBIDDEN, desc = "the name was missing during the replace")
@Outcome(expect = FORBIDDEN, desc = "wrong final value, or the old value leaked")
@State
public class ReplaceVsGet {
  private final String name = Shared.freshName();
  private final long oldVersion;

  public ReplaceVsGet() {
    Shared.A.put(name, "old");
    oldVersion = Shared.A.version(name);
  }

  @Actor
  public void writer() {
    Shared.A.replace(name, "new");
  }

  @Actor
  public void reader(III_Result r) {
    Optional<ObjectHandle> h = Shared.B.tryGet(name);
    if (h.isEmpty()) {
      r.r1 = 0;
      return;
    }
    try (ObjectHandle handle = h.get()) {
      String v = handle.asString();
      r.r1 = v.equals("old") ? 1 : v.equals("new") ? 2 : 3;
    }
  }

  @Arbiter
  public void arbiter(III_Result r) {
    r.r2 = Shared.A.getString(name).equals("new") ? 2 : 3;
    r.r3 = Shared.stateCode(oldVersion);
    Shared.A.remove(name);
  }
}
