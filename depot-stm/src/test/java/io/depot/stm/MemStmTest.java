package io.depot.stm;

import io.depot.stm.contract.StmContractTest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The contract on the in-process backend ({@code mem:<name>}, shared by the instances of one test
 * class).
 */
class MemStmTest extends StmContractTest {
  private static final String URI =
      "mem:contract-" + Long.toHexString(ThreadLocalRandom.current().nextLong());

  @Override
  protected String uri() {
    return URI;
  }

  @Override
  protected boolean crossProcess() {
    return false;
  }
}
