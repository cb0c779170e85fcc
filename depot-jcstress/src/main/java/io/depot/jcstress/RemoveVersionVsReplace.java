package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Optional;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * A remove of the version that was read racing a replace of the same name: either the remove comes
 * first (then the replace creates the name afresh) or the replace does (then the remove finds
 * another version and does nothing). The newer value is never lost.
 */
@JCStressTest
@Description("remove(name, v1) on client A vs replace(name, new) on client B")
@Outcome(
    id = "true, true, 2",
    expect = ACCEPTABLE,
    desc = "remove first, then replace created the name again")
@Outcome(
    id = "false, true, 2",
    expect = ACCEPTABLE,
    desc = "replace first; the remove saw another version")
@Outcome(id = ".*, .*, 0", expect = FORBIDDEN, desc = "the newer value was removed")
@Outcome(expect = FORBIDDEN, desc = "anything else")
@State
public class RemoveVersionVsReplace {
  private final String name = Shared.freshName();
  private final long v1;

  public RemoveVersionVsReplace() {
    Shared.A.put(name, "old");
    v1 = Shared.A.version(name);
  }

  @Actor
  public void remover(ZZI_Result r) {
    r.r1 = Shared.A.remove(name, v1);
  }

  @Actor
  public void writer(ZZI_Result r) {
    Shared.B.replace(name, "new");
    r.r2 = true;
  }

  @Arbiter
  public void arbiter(ZZI_Result r) {
    Optional<String> v =
        Optional.ofNullable(Shared.A.contains(name) ? Shared.A.getString(name) : null);
    r.r3 = v.map(s -> s.equals("new") ? 2 : 1).orElse(0);
    Shared.A.remove(name);
  }
}
