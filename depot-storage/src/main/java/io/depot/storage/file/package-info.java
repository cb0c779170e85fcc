/**
 * The {@code file:} provider: one file per blob under a local directory, written to a temporary
 * file and renamed into place, in folders sharded by digest, confined to its directory (no {@code
 * ..}, no symbolic-link escape). Not exported; opened through {@link
 * io.depot.storage.StorageProviders}.
 */
package io.depot.storage.file;
