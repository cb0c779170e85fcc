package io.depot.storage.spi;

import io.depot.storage.StorageProvider;
import java.util.function.Consumer;

/**
 * An {@link AbstractStorageProvider} on one backend object of type {@code B} (a client with its
 * settings, a mapped store, a heap space) that a root provider and all its scoped children share:
 * {@link #withScope} makes the child with the subclass's scoped constructor, and the root's first
 * {@link #close()} releases the backend once. A subclass has the two constructors and implements
 * the data operations on {@link #backend()}.
 *
 * @param <B> the backend's type
 */
public abstract class BackendStorageProvider<B> extends AbstractStorageProvider {
  /**
   * A subclass's scoped constructor: the provider of a sub-scope on its parent's backend.
   *
   * @param <B> the backend's type
   */
  @FunctionalInterface
  protected interface ScopedConstructor<B> {
    /**
     * Makes the provider of a sub-scope.
     *
     * @param child the sub-scope's layout
     * @param parent the provider whose backend it shares
     * @return a provider that calls {@link
     *     BackendStorageProvider#BackendStorageProvider(BlobLayout, BackendStorageProvider)}
     */
    BackendStorageProvider<B> create(BlobLayout child, BackendStorageProvider<B> parent);
  }

  private final B backend;
  private final Consumer<? super B> release;
  private final ScopedConstructor<B> scoped;

  /**
   * A root provider: it owns {@code backend}.
   *
   * @param layout the URI layout of its scope
   * @param backend the backend it and its scoped children use
   * @param release releases the backend; called once, by the first {@link #close()}
   * @param scoped the subclass's scoped constructor, for {@link #withScope}
   */
  protected BackendStorageProvider(
      BlobLayout layout, B backend, Consumer<? super B> release, ScopedConstructor<B> scoped) {
    super(layout);
    this.backend = backend;
    this.release = release;
    this.scoped = scoped;
  }

  /**
   * A scoped child of {@code parent}: shares its backend and its closed state; its close does
   * nothing.
   *
   * @param layout the URI layout of the sub-scope
   * @param parent the provider whose backend it shares
   */
  protected BackendStorageProvider(BlobLayout layout, BackendStorageProvider<B> parent) {
    super(layout, parent);
    this.backend = parent.backend;
    this.release = parent.release;
    this.scoped = parent.scoped;
  }

  /**
   * The backend this provider shares with its root and the root's other scoped children.
   *
   * @return the backend
   */
  protected final B backend() {
    return backend;
  }

  @Override
  protected final StorageProvider newScoped(BlobLayout child) {
    return scoped.create(child, this);
  }

  @Override
  protected final void closeBackend() {
    release.accept(backend);
  }
}
