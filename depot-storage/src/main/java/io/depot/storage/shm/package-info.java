/**
 * The {@code shm:} provider: blobs as objects of a Depot shared-memory store, shared by every
 * process of the machine with no copy to disk, with zero-copy views. Not exported; opened through
 * {@link io.depot.storage.StorageProviders}.
 */
package io.depot.storage.shm;
