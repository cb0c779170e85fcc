package io.depot.bench.peers;

import java.util.List;

/** What Chronicle Map and Chronicle Queue need of the JVM on Java 25. */
final class Chronicle {
  private Chronicle() {}

  /**
   * The {@code --add-opens}/{@code --add-exports} flags Chronicle's documentation lists for Java 17
   * and later (chronicle-core reaches into {@code java.lang}, {@code java.nio}, {@code sun.nio.ch}
   * and {@code jdk.internal} through reflection); without them the probe of {@link PeersBench}
   * records the error. Plus the property that turns Chronicle's usage analytics off.
   */
  static final List<String> FLAGS =
      List.of(
          "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          // chronicle-core's usage analytics look up www.google-analytics.com at start; where that
          // name does not
          // resolve (this machine), a process stalled for seconds (a W3 producer: 22 s instead of
          // 6)
          "-Dchronicle.analytics.disable=true");
}
