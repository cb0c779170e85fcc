package io.depot.mp;

import io.depot.Depot;
import io.depot.ObjectHandle;
import java.time.Duration;

/**
 * Child process: waits for each object {@code <prefix><j>} (written concurrently by another
 * process), verifies it, checks it again after the writer has moved on (the bytes must not change
 * under an open handle), and prints the XOR of the checksums so the parent can compare processes.
 */
public final class ReaderMain {
  private ReaderMain() {}

  public static void main(String[] args) {
    String store = args[0];
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    long xor = 0;
    try (Depot d = Depot.open(store)) {
      ObjectHandle held = null;
      long heldCrc = 0;
      for (int j = 0; j < count; j++) {
        ObjectHandle h = d.get(prefix + j, Duration.ofSeconds(60));
        Payloads.verify(h.segment(), prefix + j);
        long crc = Payloads.crc(h.segment());
        xor ^= crc;
        if (held != null) {
          if (Payloads.crc(held.segment()) != heldCrc) {
            throw new AssertionError("bytes changed under an open handle: " + held.name());
          }
          held.close();
        }
        held = h;
        heldCrc = crc;
      }
      if (held != null) {
        held.close();
      }
    }
    System.out.println("READ " + count + " " + Long.toHexString(xor));
  }
}
