/**
 * The generic layer of the short-term memory (not an API): URI parsing and backend lookup ({@link
 * io.depot.stm.internal.StmFactory}), argument checks ({@link io.depot.stm.spi.Keys}), value
 * encoding and decoding ({@link io.depot.stm.internal.Values}), and the workflow scope whose
 * update, pop and Map-put loops turn a backend's versioned writes into lost-update-free
 * read-modify-write.
 *
 * <p>Thread safety: every class here is thread-safe or immutable. Nothing here is for outside use:
 * what a backend may use ({@code Keys}, {@code HeapCopy}) is in the SPI package.
 */
package io.depot.stm.internal;
