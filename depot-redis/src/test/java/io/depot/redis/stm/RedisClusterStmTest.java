package io.depot.redis.stm;

import io.depot.stm.contract.StmContractTest;
import io.depot.testkit.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The short-term memory contract against a real three-node Redis Cluster ({@code cluster=true}:
 * Lettuce's cluster client; each workflow's keys share one hash tag, so every script runs in one
 * slot).
 */
class RedisClusterStmTest extends StmContractTest {
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected String uri() {
    return cluster.uri() + "/0?cluster=true&namespace=ccontract";
  }

  @Override
  protected boolean crossProcess() {
    return true;
  }
}
