package io.depot.storage.file;

import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.BlobInfo;
import io.depot.storage.BlobNotFoundException;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.BlobView;
import io.depot.storage.ScopeViolationException;
import io.depot.storage.StorageException;
import io.depot.storage.StorageFullException;
import io.depot.storage.StoreOptions;
import io.depot.storage.spi.BackendStorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.BlobRef;
import io.depot.storage.spi.BlobTrailer;
import io.depot.storage.spi.LimitedInputStream;
import io.depot.storage.spi.SegmentBlobView;
import io.depot.storage.spi.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * {@code file:///<directory>/[<scope>/...]sha256/ab/cd/<hex>} and {@code .../keys/<key>}: one file
 * per blob (its bytes followed by a {@link BlobTrailer}), in folders sharded by the first two bytes
 * of the digest.
 *
 * <h2>Writes</h2>
 *
 * A store writes a temporary file in {@code <base>/.tmp/} (forced to disk when {@code fsync} is
 * on), then renames it into place ({@code rename(2)}: atomic, replacing); with {@code fsync} the
 * directory is forced too. Concurrent writers of the same content each write their own temporary
 * file and the renames replace identical bytes; readers see a whole blob or none. A failed store
 * deletes its temporary file; temporary files left by a killed process are deleted when a provider
 * opens the directory more than {@link #STALE_TEMP_AGE} after their last write.
 *
 * <h2>Confinement</h2>
 *
 * URIs with {@code .} or {@code ..} segments or outside the base are refused before the file system
 * is touched. Blob files are opened without following a final symbolic link, and the real path of
 * their folder must lie inside the real path of the provider's directory, so a symbolic link
 * planted inside the tree cannot lead outside it.
 */
final class FileStorageProvider extends BackendStorageProvider<FileStorageProvider.Backend> {
  /**
   * Temporary files whose last write is older than this are deleted by {@link
   * FileStorageFactory#open}.
   */
  static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

  private static final int IO_BUFFER = 1 << 20;
  private static final String TMP_DIR = ".tmp";

  /**
   * What a root provider and its scoped children share (nothing held between calls, nothing to
   * release).
   *
   * @param rootPath the root provider's directory
   * @param rootRealDir its real path
   * @param fsync whether stores force files and folders to disk
   */
  record Backend(String rootPath, Path rootRealDir, boolean fsync) {}

  private final Path dir;

  /**
   * The real path this provider's files must lie in ({@code dir} resolved against the root's real
   * path).
   */
  private final Path realDir;

  FileStorageProvider(BlobLayout layout, Path realDir, boolean fsync) {
    super(
        layout, new Backend(layout.basePath(), realDir, fsync), b -> {}, FileStorageProvider::new);
    this.dir = Path.of(layout.basePath());
    this.realDir = realDir;
  }

  private FileStorageProvider(BlobLayout layout, BackendStorageProvider<Backend> parent) {
    super(layout, parent);
    this.dir = Path.of(layout.basePath());
    this.realDir =
        backend().rootRealDir().resolve(layout.basePath().substring(backend().rootPath().length()));
  }

  // ---------------------------------------------------------------- store

  @Override
  public URI store(byte[] data, StoreOptions options) {
    checkOpen();
    byte[] sha = Sha256.of(data);
    BlobRef ref = target(options, sha);
    Path target = Path.of(ref.path());
    BlobTrailer trailer = new BlobTrailer(data.length, Instant.now(), sha, options.contentType());
    if (ref.contentAddressed() && isIntact(ref, data.length)) {
      return ref.uri();
    }
    Path tmp = newTemp(ref.uri());
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.WRITE,
              StandardOpenOption.CREATE_NEW,
              LinkOption.NOFOLLOW_LINKS)) {
        writeFully(ch, ByteBuffer.wrap(data));
        writeFully(ch, ByteBuffer.wrap(trailer.encode()));
        if (backend().fsync()) {
          ch.force(true);
        }
      }
      publish(tmp, target, ref);
      return ref.uri();
    } catch (IOException e) {
      throw failure("cannot store blob", ref.uri(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  @Override
  public URI store(InputStream in, StoreOptions options) {
    checkOpen();
    checkKey(options);
    Path tmp = newTemp(base());
    BlobRef ref = null;
    try {
      MessageDigest md = Sha256.newDigest();
      long size = 0;
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.WRITE,
              StandardOpenOption.CREATE_NEW,
              LinkOption.NOFOLLOW_LINKS)) {
        byte[] buf = new byte[IO_BUFFER];
        int n;
        while ((n = readChunk(in, buf)) > 0) {
          md.update(buf, 0, n);
          writeFully(ch, ByteBuffer.wrap(buf, 0, n));
          size += n;
        }
        byte[] sha = md.digest();
        ref = target(options, sha);
        BlobTrailer trailer = new BlobTrailer(size, Instant.now(), sha, options.contentType());
        if (ref.contentAddressed() && isIntact(ref, size)) {
          return ref.uri();
        }
        writeFully(ch, ByteBuffer.wrap(trailer.encode()));
        if (backend().fsync()) {
          ch.force(true);
        }
      }
      publish(tmp, Path.of(ref.path()), ref);
      return ref.uri();
    } catch (IOException e) {
      throw failure("cannot store blob", ref == null ? base() : ref.uri(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /**
   * Whether an intact copy of a content-addressed blob is already stored: a regular file whose
   * trailer is readable and records {@code size} bytes (a damaged copy is replaced).
   */
  private boolean isIntact(BlobRef ref, long size) {
    if (!Files.isRegularFile(Path.of(ref.path()), LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try {
      Opened o = openFile(ref);
      closeQuietly(o.channel());
      return o.trailer().size() == size;
    } catch (StorageException e) {
      return false;
    }
  }

  private Path newTemp(URI uri) {
    Path tmpDir = dir.resolve(TMP_DIR);
    try {
      Files.createDirectories(tmpDir);
      checkInside(tmpDir, uri);
    } catch (IOException e) {
      throw failure("cannot create the temporary directory " + tmpDir, uri, e);
    }
    return tmpDir.resolve(
        HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
            + HexFormat.of().toHexDigits(System.nanoTime())
            + ".part");
  }

  private void publish(Path tmp, Path target, BlobRef ref) throws IOException {
    Path parent = target.getParent();
    try {
      Files.createDirectories(parent);
    } catch (FileAlreadyExistsException | NotDirectoryException e) {
      throw new StorageException(
          "a key cannot extend another key's file: path=" + e.getFile(), ref.uri(), e);
    }
    checkInside(parent, ref.uri());
    if (Files.isSymbolicLink(target)) {
      throw new ScopeViolationException("a symbolic link is at the blob's path", ref.uri());
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
      throw new StorageException("a key cannot be a prefix folder of other keys", ref.uri(), e);
    }
    if (backend().fsync()) {
      try (FileChannel d = FileChannel.open(parent, StandardOpenOption.READ)) {
        d.force(true);
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer bb) throws IOException {
    while (bb.hasRemaining()) {
      ch.write(bb);
    }
  }

  // ---------------------------------------------------------------- read

  /** An open blob file with its checked trailer. */
  private record Opened(FileChannel channel, BlobTrailer trailer) {}

  private Opened openFile(BlobRef ref) {
    Path file = Path.of(ref.path());
    FileChannel ch = null;
    try {
      checkInside(file.getParent(), ref.uri());
      ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      long total = ch.size();
      byte[] tail = new byte[(int) Math.min(BlobTrailer.TAIL_BYTES, total)];
      readFully(ch, ByteBuffer.wrap(tail), total - tail.length);
      int len = BlobTrailer.trailerLength(tail, total, ref.uri());
      byte[] t = new byte[len];
      readFully(ch, ByteBuffer.wrap(t), total - len);
      BlobTrailer trailer =
          BlobTrailer.decode(t, total, ref.uri()).checkName(ref.expectedSha256(), ref.uri());
      return new Opened(ch, trailer);
    } catch (IOException | RuntimeException e) {
      closeQuietly(ch);
      if (e instanceof IOException io) {
        if (!(io instanceof NoSuchFileException) && Files.isSymbolicLink(file)) {
          throw new ScopeViolationException("a symbolic link is at the blob's path", ref.uri());
        }
        throw failure("cannot read blob", ref.uri(), io);
      }
      throw (RuntimeException) e;
    }
  }

  @Override
  public byte[] load(URI uri) {
    BlobRef ref = parse(uri);
    Opened o = openFile(ref);
    try (FileChannel ch = o.channel()) {
      long size = o.trailer().size();
      if (size > MAX_LOAD_BYTES) {
        throw new BlobTooLargeException(
            "blob too large for an array (use open): size=" + size, ref.uri());
      }
      byte[] data = new byte[(int) size];
      MessageDigest md = Sha256.newDigest();
      for (int off = 0; off < size; off += IO_BUFFER) {
        int n = (int) Math.min(IO_BUFFER, size - off);
        readFully(ch, ByteBuffer.wrap(data, off, n), off);
        md.update(data, off, n); // while the chunk is in the cache
      }
      checkDigest(o.trailer().sha256(), md.digest(), ref.uri());
      return data;
    } catch (IOException e) {
      throw failure("cannot read blob", ref.uri(), e);
    }
  }

  @Override
  public InputStream open(URI uri) {
    BlobRef ref = parse(uri);
    Opened o = openFile(ref);
    InputStream in = Channels.newInputStream(o.channel());
    return verifying(new LimitedInputStream(in, o.trailer().size()), o.trailer(), ref.uri());
  }

  @Override
  public InputStream open(URI uri, long offset, long length) {
    BlobRef ref = parseRange(uri, offset, length);
    Opened o = openFile(ref);
    long size = o.trailer().size();
    try {
      o.channel().position(Math.min(offset, size));
    } catch (IOException e) {
      closeQuietly(o.channel());
      throw failure("cannot read blob", ref.uri(), e);
    }
    return new LimitedInputStream(Channels.newInputStream(o.channel()), clip(size, offset, length));
  }

  @Override
  @SuppressWarnings(
      "MustBeClosedChecker") // the arena is the returned view's (closed by its close) or closed
  // here
  public BlobView view(URI uri) {
    BlobRef ref = parse(uri);
    Opened o = openFile(ref);
    Arena arena = Arena.ofShared();
    try (FileChannel ch = o.channel()) {
      long size = o.trailer().size();
      MemorySegment seg =
          size == 0
              ? MemorySegment.ofArray(new byte[0]).asReadOnly()
              : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asReadOnly();
      checkDigest(o.trailer().sha256(), Sha256.of(seg), ref.uri());
      return new SegmentBlobView(ref.uri(), seg, arena::close);
    } catch (IOException | RuntimeException e) {
      arena.close();
      if (e instanceof IOException io) {
        throw failure("cannot map blob", ref.uri(), io);
      }
      throw (RuntimeException) e;
    }
  }

  @Override
  public boolean zeroCopyViews() {
    return true;
  }

  @Override
  public BlobInfo info(URI uri) {
    BlobRef ref = parse(uri);
    Opened o = openFile(ref);
    closeQuietly(o.channel());
    return o.trailer().info(ref.uri());
  }

  @Override
  public boolean exists(URI uri) {
    BlobRef ref = parse(uri);
    Path file = Path.of(ref.path());
    try {
      BasicFileAttributes a =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        return false;
      }
      checkInside(file.getParent(), ref.uri());
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw failure("cannot check blob", ref.uri(), e);
    }
  }

  @Override
  public boolean delete(URI uri) {
    BlobRef ref = parse(uri);
    Path file = Path.of(ref.path());
    try {
      if (Files.isSymbolicLink(file)) {
        throw new ScopeViolationException("a symbolic link is at the blob's path", ref.uri());
      }
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      checkInside(file.getParent(), ref.uri());
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw failure("cannot delete blob", ref.uri(), e);
    }
  }

  @Override
  public List<URI> list(String prefix) {
    checkOpen();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return new ArrayList<>();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return listed(
          files
              .filter(p -> !hiddenBelow(p) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
              .map(Path::toString)
              .toList(),
          prefix);
    } catch (IOException | UncheckedIOException e) {
      throw failure(
          "cannot list blobs",
          base(),
          e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
    }
  }

  private boolean hiddenBelow(Path p) {
    Path rel = dir.relativize(p);
    for (Path seg : rel) {
      if (seg.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Checks that the real path of {@code folder} (which exists) lies inside this provider's real
   * directory.
   *
   * @throws ScopeViolationException if a symbolic link leads outside
   */
  private void checkInside(Path folder, URI uri) throws IOException {
    Path real;
    try {
      real = folder.toRealPath();
    } catch (NoSuchFileException e) {
      return; // nothing there, nothing to escape through; the operation itself will report the
      // missing file
    }
    if (!real.startsWith(realDir)) {
      throw new ScopeViolationException(
          "symbolic link escape: realPath=" + real + " is outside directory=" + realDir, uri);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer bb, long position) throws IOException {
    long pos = position;
    while (bb.hasRemaining()) {
      int n = ch.read(bb, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at position=" + pos);
      }
      pos += n;
    }
  }

  private static StorageException failure(String what, URI uri, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new BlobNotFoundException("no blob stored", uri);
    }
    if (e instanceof AccessDeniedException) {
      return new BackendAccessDeniedException(what + ": permission denied", uri, e);
    }
    String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    if (reason != null && reason.contains("No space left")) {
      return new StorageFullException(what + ": no space left on the device", uri, e);
    }
    return new BackendUnavailableException(what + ": " + e, uri, e);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: a stale temporary file is deleted by a later open
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // read-only channel: nothing to lose
      }
    }
  }

  /**
   * Deletes temporary files in {@code <dir>/.tmp} whose last write is older than {@link
   * #STALE_TEMP_AGE}.
   */
  static void deleteStaleTemps(Path dir) {
    Path tmpDir = dir.resolve(TMP_DIR);
    if (!Files.isDirectory(tmpDir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    FileTime limit = FileTime.from(Instant.now().minus(STALE_TEMP_AGE));
    try (Stream<Path> temps = Files.list(tmpDir)) {
      temps.forEach(
          t -> {
            try {
              if (Files.getLastModifiedTime(t, LinkOption.NOFOLLOW_LINKS).compareTo(limit) < 0) {
                Files.deleteIfExists(t);
              }
            } catch (IOException ignored) {
              // another process removed it, or it is not ours to delete
            }
          });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
