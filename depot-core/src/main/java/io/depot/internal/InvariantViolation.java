package io.depot.internal;

/**
 * One of Depot's own invariants was found broken: a bug in Depot (or memory written behind its
 * back), not a damaged file met while following its metadata. {@link Store#translate} lets it
 * through as it is, so that it is reported as what it is rather than as a {@link
 * io.depot.CorruptStoreException}.
 */
final class InvariantViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InvariantViolation(String message) {
    super(
        "Depot invariant violated (a bug: please report it, with the store file if you can): "
            + message);
  }
}
