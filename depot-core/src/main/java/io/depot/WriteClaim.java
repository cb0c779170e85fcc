package io.depot;

import java.lang.foreign.MemorySegment;

/**
 * A block in the WRITE stage: allocated to this writer and invisible to everyone else until {@link
 * #commit()}. The writer fills {@link #segment()} (or {@link #array()}) in place, with no
 * intermediate copy; commit publishes the object with one release-store, after which it is
 * immutable.
 *
 * <p>Closing a claim that was not committed aborts it: the name and the memory are given back. A
 * claim belongs to the process that made it; if that process dies, the claim is given back too: at
 * once when another process claims the name or finds the store full, else by the recovery sweep
 * within the recovery interval (see {@link DepotOptions.Builder#recoveryInterval}). Closing the
 * {@code Depot} aborts its claims still open.
 *
 * <p>Like {@code malloc}, the claimed memory is not cleared: it holds whatever a removed object
 * left there, so write all of it, or attach with {@link DepotOptions.Builder#zeroClaims(boolean)
 * zeroClaims}.
 */
public interface WriteClaim extends AutoCloseable {
  /** {@return the object's name (reserved from claim to commit or abort)} */
  String name();

  /** {@return the size of the value in bytes} */
  long size();

  /**
   * {@return the writable value bytes}
   *
   * @throws HandleClosedException after commit or abort
   */
  MemorySegment segment();

  /**
   * {@return the writable typed view of a claim made with {@link Depot#claimArray}}
   *
   * @throws TypeMismatchException if the claim is not for an array
   */
  MutableNDArray array();

  /**
   * Publishes the object: from now on every process sees it, and it is immutable.
   *
   * @throws HandleClosedException if already committed or aborted
   */
  void commit();

  /**
   * Publishes the object only if the committed object of the same name has version {@code
   * expectedVersion} (or, if {@code expectedVersion} is {@link Depot#NO_VERSION}, if there is
   * none), replacing it atomically; otherwise aborts the claim. The check and the publication
   * happen under the name's bucket lock, so of several writers expecting the same version exactly
   * one succeeds. Claim with {@link PutMode#REPLACE} to replace an existing object.
   *
   * @param expectedVersion the version the committed object of the name must have
   * @return whether the claim was committed
   * @throws HandleClosedException if already committed or aborted
   */
  boolean commitIf(long expectedVersion);

  /** Gives the name and the memory back without publishing. Idempotent; a no-op after commit. */
  void abort();

  /** Aborts unless committed. */
  @Override
  void close();
}
