/**
 * The shared-memory {@code shm:} backend of the short-term memory, on a Depot store: one object per
 * key (no whole-workflow rewrite), any number of workflows in one store, collision-free names for
 * any id and key ({@link io.depot.stm.shm.ObjectNames}), a small metadata object per workflow for
 * its epoch and TTL.
 *
 * <p>Thread and process safety: every process that opens the same store shares the data; single-key
 * operations are atomic through Depot's replace and compare-and-set. Hot path: a get is one version
 * lookup of the workflow's metadata (cached by version) and one pinned read; a put is the same
 * lookup and one claim/commit. Whole-workflow operations ({@code keys}, {@code size}, {@code
 * entries}, {@code clear}, sweeps) scan the store's directory ({@link io.depot.Depot#list(String)}:
 * cost proportional to the store's {@code maxObjects}).
 */
@NullMarked
package io.depot.stm.shm;

import org.jspecify.annotations.NullMarked;
