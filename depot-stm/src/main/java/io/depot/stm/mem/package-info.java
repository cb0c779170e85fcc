/**
 * The in-process {@code mem:} backend of the short-term memory, for tests and single-process use:
 * {@code mem:} is private to one memory instance, {@code mem:<name>} is shared by every instance of
 * that name in the JVM until the last one closes. Thread-safe; not shared with other processes.
 */
package io.depot.stm.mem;
