package io.depot.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Arrays;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A copy out without a pin ({@code getBytes}) races a replace whose old block is freed at once and
 * reused by another object's put: the reader gets the old value or the new one, whole, never the
 * other object's bytes or a mix.
 */
@JCStressTest
@Description(
    "getBytes(name) on client B vs replace(name, 2s) then put(other, 3s) on client A, one size")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the value before the replace, whole")
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "the value after the replace, whole")
@Outcome(
    id = "-1, .*",
    expect = FORBIDDEN,
    desc = "a torn value, or the bytes of the object that reused the block")
@Outcome(expect = FORBIDDEN, desc = "the name was missing, or the writer failed")
@State
public class CopyOutVsReuse {
  private static final int SIZE = 40;
  private final String name = Shared.freshName();
  private final String other = Shared.freshName();

  public CopyOutVsReuse() {
    Shared.A.put(name, filled(1));
  }

  private static byte[] filled(int b) {
    byte[] v = new byte[SIZE];
    Arrays.fill(v, (byte) b);
    return v;
  }

  @Actor
  public void reader(II_Result r) {
    byte[] b;
    try {
      b = Shared.B.getBytes(name);
    } catch (io.depot.ObjectNotFoundException e) {
      r.r1 = 0;
      return;
    }
    r.r1 = Arrays.equals(b, filled(1)) ? 1 : Arrays.equals(b, filled(2)) ? 2 : -1;
  }

  @Actor
  public void writer(II_Result r) {
    Shared.A.replace(name, filled(2));
    Shared.A.put(other, filled(3));
    r.r2 = 1;
  }

  @Arbiter
  public void arbiter(II_Result r) {
    Shared.A.remove(name);
    Shared.A.remove(other);
  }
}
