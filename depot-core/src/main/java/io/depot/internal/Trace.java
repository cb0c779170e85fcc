package io.depot.internal;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A debugging aid: with {@code -Ddepot.trace.dir=DIR}, lifecycle events are appended, unbuffered,
 * to DIR/PID.log.
 */
final class Trace {
  private static final FileOutputStream OUT = open();

  private Trace() {}

  private static FileOutputStream open() {
    String dir = System.getProperty("depot.trace.dir");
    if (dir == null) {
      return null;
    }
    try {
      return new FileOutputStream(dir + "/" + ProcessHandle.current().pid() + ".log", true);
    } catch (IOException e) {
      return null;
    }
  }

  static boolean on() {
    return OUT != null;
  }

  static synchronized void log(String event) {
    if (OUT == null) {
      return;
    }
    try {
      OUT.write(
          (System.nanoTime() + " " + ProcessHandle.current().pid() + " " + event + "\n")
              .getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // debugging only
    }
  }

  static String caller() {
    StackTraceElement[] st = new Throwable().getStackTrace();
    StringBuilder sb = new StringBuilder();
    for (int i = 2; i < Math.min(st.length, 7); i++) {
      sb.append(st[i].getMethodName()).append('<');
    }
    return sb.toString();
  }
}
