/**
 * The engine behind {@link io.depot.Depot}; not exported. One descriptor class per shared structure
 * ({@code *Descriptor}) fixes the file layout; {@link io.depot.internal.Store} owns a mapping and
 * the lifecycle primitives; {@link io.depot.internal.Directory}, {@link
 * io.depot.internal.BlockAllocator} and {@link io.depot.internal.PageAllocator} hold the
 * shared-memory protocols, each documented in a {@code Concurrency:} block.
 */
package io.depot.internal;
