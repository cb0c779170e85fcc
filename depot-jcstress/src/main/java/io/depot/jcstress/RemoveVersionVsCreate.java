package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZI_Result;

/**
 * A remove of a stale version (the name was removed since it was read) racing a put that creates
 * the name again: the create commits without the bucket lock, so the remove may find it still being
 * written and see it committed a moment later. The remove must never take the new object, whose
 * version it never read.
 */
@JCStressTest
@Description("remove(name, stale version) on client A vs put(name, new) (a create) on client B")
@Outcome(
    id = "false, 2",
    expect = ACCEPTABLE,
    desc = "the remove found nothing of its version; the new value stays")
@Outcome(id = "true, .*", expect = FORBIDDEN, desc = "the remove took an object of another version")
@Outcome(expect = FORBIDDEN, desc = "the new value was lost")
@State
public class RemoveVersionVsCreate {
  private final String name = Shared.freshName();
  private final long stale;

  public RemoveVersionVsCreate() {
    Shared.A.put(name, "old");
    stale = Shared.A.version(name);
    Shared.A.remove(name);
  }

  @Actor
  public void remover(ZI_Result r) {
    r.r1 = Shared.A.remove(name, stale);
  }

  @Actor
  public void writer() {
    Shared.B.put(name, "new");
  }

  @Arbiter
  public void arbiter(ZI_Result r) {
    r.r2 = Shared.A.contains(name) ? (Shared.A.getString(name).equals("new") ? 2 : 1) : 0;
    Shared.A.remove(name);
  }
}
