package io.depot.stm;

import org.jspecify.annotations.Nullable;

/**
 * A value with the version it had when read, for {@link Workflow#compareAndSet}.
 *
 * @param value the value, or {@code null} if the key was absent
 * @param version the version, or {@link Workflow#NO_VERSION} if the key was absent
 * @param <T> the value's type
 */
public record Versioned<T>(@Nullable T value, long version) {
  /** {@return whether the key was present} */
  public boolean present() {
    return version != Workflow.NO_VERSION;
  }
}
