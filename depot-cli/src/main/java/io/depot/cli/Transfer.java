package io.depot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams bytes between a channel and a store segment in chunks (no heap copy of the value, no 2
 * GiB limit), with a progress line (bytes, rate, ETA) on standard error when it is a terminal and
 * the transfer is larger than {@value #PROGRESS_FROM} bytes; silent when piped.
 */
final class Transfer {
  static final int CHUNK = 8 << 20;
  static final long PROGRESS_FROM = 4L << 20;

  private final long total;
  private final PrintStream progress;
  private final long start = System.nanoTime();
  private long lastPrint;

  private Transfer(long total) {
    this.total = total;
    this.progress =
        total > PROGRESS_FROM && System.console() != null && System.console().isTerminal()
            ? System.err
            : null;
  }

  /** Copies {@code in} into {@code dst} until it is full; fails if the channel ends first. */
  static void fill(ReadableByteChannel in, MemorySegment dst) throws IOException {
    Transfer t = new Transfer(dst.byteSize());
    long done = 0;
    while (done < dst.byteSize()) {
      ByteBuffer b = dst.asSlice(done, Math.min(CHUNK, dst.byteSize() - done)).asByteBuffer();
      while (b.hasRemaining()) {
        int n = in.read(b);
        if (n < 0) {
          throw new IOException(
              "input ended after " + (done + b.position()) + " of " + dst.byteSize() + " bytes");
        }
      }
      done += b.capacity();
      t.report(done);
    }
    t.finish();
  }

  /** Writes all of {@code src} to {@code out}. */
  static void drain(MemorySegment src, WritableByteChannel out) throws IOException {
    Transfer t = new Transfer(src.byteSize());
    long done = 0;
    while (done < src.byteSize()) {
      ByteBuffer b = src.asSlice(done, Math.min(CHUNK, src.byteSize() - done)).asByteBuffer();
      while (b.hasRemaining()) {
        out.write(b);
      }
      done += b.capacity();
      t.report(done);
    }
    t.finish();
  }

  /**
   * Spools standard input to a temporary file (a claim needs the size first); the caller deletes
   * it.
   */
  static Path spool(InputStream in) throws IOException {
    Path tmp = Files.createTempFile("depot-put-", ".bin");
    try (WritableByteChannel out =
            Files.newByteChannel(tmp, java.nio.file.StandardOpenOption.WRITE);
        ReadableByteChannel src = Channels.newChannel(in)) {
      ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
      while (src.read(b) >= 0) {
        b.flip();
        while (b.hasRemaining()) {
          out.write(b);
        }
        b.clear();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  private void report(long done) {
    if (progress == null) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastPrint < 200_000_000L && done < total) {
      return;
    }
    lastPrint = now;
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / seconds;
    long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
    progress.printf(
        "\r%s / %s  %s/s  ETA %ds   ",
        Sizes.format(done), Sizes.format(total), Sizes.format((long) rate), eta);
    progress.flush();
  }

  private void finish() {
    if (progress != null) {
      progress.println();
    }
  }
}
