/**
 * The service interface of object-store backends: {@link io.depot.spi.ObjectStoreProvider}, found
 * by {@link java.util.ServiceLoader} and chosen by URI scheme ({@code shm:} in the core, {@code
 * redis:} in {@code depot-redis}). Providers are stateless and thread-safe; the stores they open
 * follow {@link io.depot.ObjectStore}.
 */
@NullMarked
package io.depot.spi;

import org.jspecify.annotations.NullMarked;
