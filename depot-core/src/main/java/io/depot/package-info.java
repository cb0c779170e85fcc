/**
 * The Depot API: {@link io.depot.Depot} (a shared-memory object store), its values ({@link
 * io.depot.NDArray}, {@link io.depot.Codec}), handles ({@link io.depot.ObjectHandle}, {@link
 * io.depot.WriteClaim}) and exceptions (all under {@link io.depot.DepotException}).
 *
 * <p>Thread safety: {@code Depot}, handles and claims may be used from any thread. The hot paths
 * ({@code get}, {@code put}, handle close) take no process-wide lock and allocate only the handle.
 * Expected outcomes are return values ({@code tryGet}, {@code remove}); broken contracts and
 * exhausted resources are exceptions whose messages name the offending value.
 */
@NullMarked
package io.depot;

import org.jspecify.annotations.NullMarked;
