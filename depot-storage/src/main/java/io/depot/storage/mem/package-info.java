/**
 * The {@code mem:} provider: blobs in this JVM's heap, in named spaces shared by the providers of
 * the JVM. For tests and single-process use. Not exported; opened through {@link
 * io.depot.storage.StorageProviders}.
 */
package io.depot.storage.mem;
