package io.depot;

/**
 * When a process pre-faults its own mapping of a store (see {@link
 * DepotOptions.Builder#prefault(Prefault)}).
 *
 * <p>Every process that maps a store pays for its first access to each page of it: a page fault of
 * about 3 µs per 4 KiB page on bare metal, and on some virtual machines (measured on a Firecracker
 * guest) 10 to 17 µs even for a page another process has already touched. Pre-faulting moves that
 * cost out of the first reads and writes of large values (a 512 MiB put otherwise runs at about 1
 * GiB/s instead of memcpy speed). On Linux 6.1 and later the pre-fault also collapses the store's
 * pages into 2 MiB huge pages ({@code madvise(MADV_COLLAPSE)}), once per store file, a few
 * milliseconds per 2 MiB for the first process that pre-faults; every process then maps each 2 MiB
 * with one fault, so processes that attach after the creator's pre-fault run at memcpy speed even
 * before (or without) their own. Where the kernel refuses the collapse, each process pays for its
 * small pages: about 1.7 ms per MiB of store on such a virtual machine, 0.1 ms elsewhere.
 */
public enum Prefault {
  /**
   * The default: {@link #EAGER} in {@link Depot#create} (the creator reserves the store's memory
   * anyway, once), and {@link #BACKGROUND} in {@link Depot#open}, so that attaching stays fast
   * however many processes attach at once.
   */
  AUTO,
  /** Before {@code create} or {@code open} returns. */
  EAGER,
  /**
   * In a daemon thread of this process that runs only on otherwise idle CPU time (Linux {@code
   * SCHED_IDLE}), started at attach and stopped at close: attaching returns at once, the
   * pre-faulting never competes with real work, and pages not yet pre-faulted when first used cost
   * what they would without pre-faulting: one fault per 2 MiB where the store is on huge pages
   * already, and elsewhere one per 4 KiB page — except for puts and queue pushes of 16 KiB or more
   * into small pages, which the kernel writes ({@code pwrite}) without touching the pages through
   * the mapping.
   */
  BACKGROUND,
  /**
   * Never: each page costs its fault on first use. For tools that look at a store briefly, and for
   * huge stores.
   */
  NONE
}
