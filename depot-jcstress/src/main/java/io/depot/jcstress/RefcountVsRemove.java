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
 * A reader pinning an object races its removal by another client: the last of the two frees it,
 * exactly once.
 */
@JCStressTest
@Description("get+close (client B) vs remove (client A) of one object; then the descriptor's state")
@Outcome(
    id = "1, 1, 0",
    expect = ACCEPTABLE,
    desc = "reader pinned first, saw the whole value; freed after both")
@Outcome(
    id = "0, 1, 0",
    expect = ACCEPTABLE,
    desc = "remove came first: the reader found nothing; freed")
@Outcome(
    id = ".*, .*, 1",
    expect = FORBIDDEN,
    desc = "leaked ZOMBIE: the last release did not free it")
@Outcome(
    id = "-1, .*, .*",
    expect = FORBIDDEN,
    desc = "the reader saw wrong bytes under its handle")
@Outcome(expect = FORBIDDEN, desc = "the remove failed, or the object is in another state")
@State
public class RefcountVsRemove {
  private final String name = Shared.freshName();
  private final long version;

  public RefcountVsRemove() {
    Shared.A.put(name, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    version = Shared.A.version(name);
  }

  @Actor
  public void reader(III_Result r) {
    Optional<ObjectHandle> h = Shared.B.tryGet(name);
    if (h.isEmpty()) {
      r.r1 = 0;
      return;
    }
    try (ObjectHandle handle = h.get()) {
      byte[] b = handle.toByteArray();
      r.r1 = b.length == 8 && b[0] == 1 && b[7] == 8 ? 1 : -1;
    }
  }

  @Actor
  public void remover(III_Result r) {
    r.r2 = Shared.A.remove(name) ? 1 : 0;
  }

  @Arbiter
  public void arbiter(III_Result r) {
    r.r3 = Shared.stateCode(version);
  }
}
