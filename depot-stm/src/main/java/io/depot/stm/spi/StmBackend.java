package io.depot.stm.spi;

import java.util.List;

/**
 * One opened backend: where the data lives. Thread-safe. The generic layer checks arguments,
 * encodes and decodes values, and implements update loops, so a backend only stores encoded values
 * with versions.
 */
public interface StmBackend extends AutoCloseable {
  /**
   * {@return where the data is, for messages, without credentials (e.g. {@code
   * redis://127.0.0.1:6379/0})}
   */
  String address();

  /**
   * {@return the backend scope of one workflow; {@code id} is already checked} Cheap.
   *
   * @param id the workflow's id
   */
  BackendWorkflow workflow(String id);

  /** {@return the ids of live (non-expired) workflows} */
  List<String> workflows();

  /**
   * Reclaims expired data; returns how many workflows and keys it reclaimed.
   *
   * @return how many workflows and keys it reclaimed
   */
  int sweepExpired();

  /** Releases connections or mappings. Idempotent. */
  @Override
  void close();
}
