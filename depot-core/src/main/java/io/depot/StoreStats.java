package io.depot;

/**
 * A snapshot of a store's occupancy, read without locks (figures taken while other processes write
 * may be off by the operations in flight).
 *
 * @param arenaBytes the capacity of the arena, in bytes
 * @param freeBytes bytes of the arena in no block: free pages plus free slots of size-class spans
 * @param usedBlockBytes bytes of the arena held by blocks (WRITE, committed or ZOMBIE)
 * @param largestFreeExtent the largest run of free pages, in bytes: the largest block that fits
 *     without reuse of a size-class slot
 * @param fragmentation external fragmentation of the free pages, {@code 1 - largestFreeExtent /
 *     freePageBytes} (0 when all free pages are contiguous)
 * @param objects committed named objects (IDLE or BUSY), queues included, their entries not: what
 *     {@link Depot#list()} lists
 * @param queueEntries committed queue entries (in all queues), not yet popped
 * @param zombies removed objects and entries still held by readers
 * @param writing objects and queue entries in the WRITE stage
 * @param maxObjects the directory's capacity
 * @param clients attached processes that are alive
 * @param deadClients client slots of processes that died and are not recovered yet (they are
 *     recovered at the next contact or sweep; see {@link DepotOptions.Builder#recoveryInterval})
 * @param maxClients the client table's capacity
 * @param puts objects committed by all processes since the store was created (puts, replaces,
 *     committed claims)
 * @param gets handles on objects opened by all processes since the store was created
 * @param removes objects removed by all processes since the store was created
 */
public record StoreStats(
    long arenaBytes,
    long freeBytes,
    long usedBlockBytes,
    long largestFreeExtent,
    double fragmentation,
    long objects,
    long queueEntries,
    long zombies,
    long writing,
    long maxObjects,
    int clients,
    int deadClients,
    int maxClients,
    long puts,
    long gets,
    long removes) {}
