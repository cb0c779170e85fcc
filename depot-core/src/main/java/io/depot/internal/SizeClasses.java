package io.depot.internal;

/**
 * The block size classes. Blocks up to {@link #MAX_SMALL} bytes come from <b>spans</b>: runs of
 * pages cut into equal slots of one class, each span holding at least 8 slots. Larger blocks are
 * <b>extents</b> of whole pages.
 *
 * <p>Classes: 64 to 512 bytes in steps of 64, then four classes per doubling (640, 768, 896, 1024,
 * 1280, ...) up to 256 KiB: 44 classes, internal waste at most 25% above 512 bytes. A span whose
 * slot bitmap needs more than 64 bits keeps it at its start ("in-band"); otherwise it lives in the
 * page map.
 */
final class SizeClasses {
  public static final int PAGE_SHIFT = 16;
  public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
  public static final int MAX_SMALL = 256 * 1024;
  public static final int COUNT;

  private static final int[] SIZE;
  private static final int[] SPAN_PAGES;
  private static final int[] SLOTS;
  private static final int[] IN_BAND_BYTES;

  static {
    int[] sizes = new int[64];
    int n = 0;
    for (int s = 64; s <= 512; s += 64) {
      sizes[n++] = s;
    }
    for (int base = 512; base < MAX_SMALL; base <<= 1) {
      sizes[n++] = base * 5 / 4;
      sizes[n++] = base * 6 / 4;
      sizes[n++] = base * 7 / 4;
      sizes[n++] = base * 2;
    }
    COUNT = n;
    SIZE = java.util.Arrays.copyOf(sizes, n);
    SPAN_PAGES = new int[n];
    SLOTS = new int[n];
    IN_BAND_BYTES = new int[n];
    for (int c = 0; c < n; c++) {
      int size = SIZE[c];
      int pages = Math.max(1, (8 * size + PAGE_SIZE - 1) / PAGE_SIZE);
      long spanBytes = (long) pages * PAGE_SIZE;
      int slots = (int) (spanBytes / size);
      int inBand = 0;
      if (slots > 64) {
        inBand = bitmapBytes(slots);
        slots = (int) ((spanBytes - inBand) / size);
        inBand = bitmapBytes(slots);
      }
      SPAN_PAGES[c] = pages;
      SLOTS[c] = slots;
      IN_BAND_BYTES[c] = inBand;
    }
  }

  private SizeClasses() {}

  private static int bitmapBytes(int slots) {
    int bytes = ((slots + 63) / 64) * 8;
    return (bytes + 63) & -64;
  }

  /**
   * The smallest class whose slots hold {@code blockSize} bytes, or -1 if the block must be an
   * extent.
   */
  public static int classFor(long blockSize) {
    if (blockSize > MAX_SMALL) {
      return -1;
    }
    int lo = 0;
    int hi = COUNT - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (SIZE[mid] >= blockSize) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  public static int size(int sizeClass) {
    return SIZE[sizeClass];
  }

  public static int spanPages(int sizeClass) {
    return SPAN_PAGES[sizeClass];
  }

  public static int slots(int sizeClass) {
    return SLOTS[sizeClass];
  }

  /**
   * Bytes at the start of a span holding its slot bitmap, or 0 if the bitmap is in the page map.
   */
  public static int inBandBytes(int sizeClass) {
    return IN_BAND_BYTES[sizeClass];
  }

  /** Pages of an extent holding {@code blockSize} bytes. */
  public static long extentPages(long blockSize) {
    return (blockSize + PAGE_SIZE - 1) >>> PAGE_SHIFT;
  }
}
