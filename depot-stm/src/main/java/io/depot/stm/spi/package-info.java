/**
 * The backend SPI of the short-term memory: a {@link io.depot.stm.spi.StmBackendProvider} (a {@link
 * java.util.ServiceLoader} service, chosen by URI scheme) opens a {@link
 * io.depot.stm.spi.StmBackend}, whose {@link io.depot.stm.spi.BackendWorkflow} stores encoded
 * values with versions, and whose {@link io.depot.stm.spi.BackendList}s store a workflow's list
 * values.
 *
 * <p>Contract: backends are thread-safe; single-key operations are atomic and linearizable across
 * every process sharing the data; versions never repeat for a key while its workflow lives. The
 * generic layer has already checked arguments and encoded values. Errors are {@link
 * io.depot.DepotException}s: {@link io.depot.stm.StmConnectionException} (naming the address) when
 * the backend is unreachable.
 */
@NullMarked
package io.depot.stm.spi;

import org.jspecify.annotations.NullMarked;
