package io.depot;

import java.util.List;

/**
 * The result of {@link Depot#check()}: a walk over the whole store verifying its invariants.
 *
 * <ul>
 *   <li>every byte of the arena is free or in exactly one block, and every block is owned by
 *       exactly one live descriptor (a block no descriptor owns is a leak; one owned twice is a
 *       corruption);
 *   <li>page map, free-page bitmap and counts, slot bitmaps, span counts and partial lists agree;
 *   <li>every committed or written object is reachable from exactly one directory bucket, and
 *       chains hold nothing else;
 *   <li>every reader count equals the pins recorded in the handle journals of live processes;
 *   <li>every queue's head, tail and slots are consistent, and every committed entry is in exactly
 *       one slot.
 * </ul>
 *
 * Run it on a quiescent store (no operation in flight), for example after {@link
 * Depot#recoverDeadClients()}: while other processes work, counts and states change under the walk
 * and it may report transient differences.
 *
 * @param problems one line per violation, naming the structure and the values; empty when
 *     consistent
 * @param objects committed objects (queues included)
 * @param entries committed queue entries
 * @param zombies removed objects or entries still held by readers
 * @param writing objects and entries in the WRITE stage
 * @param blocks allocated blocks
 * @param blockBytes bytes in allocated blocks
 * @param freeBytes free bytes of the arena (free pages and free span slots)
 * @param deadClients client slots whose process is dead and not yet recovered
 */
public record CheckReport(
    List<String> problems,
    long objects,
    long entries,
    long zombies,
    long writing,
    long blocks,
    long blockBytes,
    long freeBytes,
    int deadClients) {
  /** Copies the problem list. */
  public CheckReport {
    problems = List.copyOf(problems);
  }

  /** {@return whether no invariant is violated} */
  public boolean consistent() {
    return problems.isEmpty();
  }

  @Override
  public String toString() {
    return (consistent() ? "consistent" : problems.size() + " problem(s)")
        + ": "
        + objects
        + " objects, "
        + entries
        + " entries, "
        + zombies
        + " zombies, "
        + writing
        + " writing, "
        + blocks
        + " blocks ("
        + blockBytes
        + " B), "
        + freeBytes
        + " B free, "
        + deadClients
        + " dead clients"
        + (consistent() ? "" : "\n  " + String.join("\n  ", problems));
  }
}
