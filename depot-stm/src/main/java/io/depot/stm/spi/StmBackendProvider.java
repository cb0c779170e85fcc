package io.depot.stm.spi;

import io.depot.stm.StmOptions;
import java.util.Set;

/**
 * Makes backends for the URI schemes it names. Registered as a {@link java.util.ServiceLoader}
 * service ({@code META-INF/services/io.depot.stm.spi.StmBackendProvider}); {@link
 * io.depot.stm.ShortTermMemory#open(String)} picks the provider by the URI's scheme, never by class
 * name.
 */
public interface StmBackendProvider {
  /**
   * {@return the lower-case URI schemes handled, e.g. {@code shm} or {@code redis} and {@code
   * rediss}}
   */
  Set<String> schemes();

  /**
   * Opens a backend.
   *
   * @param uri the parsed URI; its generic parameters ({@code ttl}, {@code maxValueBytes}) are
   *     already in {@code options}
   * @param options the options in force
   * @return the open backend; the caller closes it
   * @throws io.depot.stm.InvalidUriException if the URI or one of its parameters is invalid
   * @throws io.depot.stm.StmConnectionException if the backend cannot be reached
   */
  StmBackend open(StmUri uri, StmOptions options);
}
