package io.depot;

import java.time.Instant;

/**
 * One slot of a store's client table: an attached process (see {@link Depot#clients()}).
 *
 * @param slot the slot's index
 * @param pid the process id (0 while a slot is being recovered: its process is gone)
 * @param state {@code ATTACHED}, {@code CLAIMING} (attaching, or recovering the slot it adopted) or
 *     {@code RECOVERING} (its process died and another process is recovering what it left)
 * @param alive whether the process is alive (pid and start time checked)
 * @param attachedAt when it attached
 * @param claims its WRITE-stage objects and queue entries
 * @param pins the handles it holds open (objects, queues, entries)
 * @param self whether this is the slot of the {@code Depot} that was asked
 * @param puts objects this process committed since it attached (puts, replaces, committed claims)
 * @param gets handles on objects this process opened since it attached
 * @param removes objects this process removed since it attached
 */
public record ClientInfo(
    int slot,
    long pid,
    String state,
    boolean alive,
    Instant attachedAt,
    long claims,
    long pins,
    boolean self,
    long puts,
    long gets,
    long removes) {}
