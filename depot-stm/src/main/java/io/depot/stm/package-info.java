/**
 * Workflow short-term memory: {@link io.depot.stm.ShortTermMemory} opened from a URI ({@code shm:},
 * {@code redis://}, {@code mem:}), {@link io.depot.stm.Workflow} scopes with get, put, remove,
 * contains, keys, values, entries, size, clear, pop, putAll, atomic update and compare-and-set,
 * TTLs, and a {@code Map} view; and {@link io.depot.stm.StmList}, a workflow's append-friendly list
 * values (atomic append, last n, trim, replace, TTL).
 *
 * <p>Thread safety: everything here is thread-safe, and the shared-memory and Redis backends are
 * process-safe: every single-key operation, and every list operation but {@code appendAll}, is
 * atomic across processes. The hot paths ({@code get}, {@code put}) on shared memory take no lock
 * and touch only the key's object and the workflow's small metadata object.
 *
 * <p>Errors: every exception is a {@link io.depot.DepotException}; those specific to the memory
 * extend {@link io.depot.stm.StmException}. Encoding and decoding failures are {@link
 * io.depot.CodecException}s naming the type; a value read as a kind it is not is a {@link
 * io.depot.TypeMismatchException}. A failed operation leaves what was stored unchanged.
 */
@NullMarked
package io.depot.stm;

import org.jspecify.annotations.NullMarked;
