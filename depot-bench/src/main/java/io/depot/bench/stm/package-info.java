/**
 * Workload W4, workflow short-term memory: the shared-memory backend against Redis, a writer and a
 * reader in separate JVMs ({@link io.depot.bench.stm.W4}); and {@link
 * io.depot.bench.stm.ChatAppend}, one message appended to a 100-message chat memory against a
 * rewrite of the whole memory. Needs {@code depot-stm} and {@code depot-redis} on the class path
 * and starts its own {@code redis-server} ({@link io.depot.testkit.RedisServer}).
 */
package io.depot.bench.stm;
