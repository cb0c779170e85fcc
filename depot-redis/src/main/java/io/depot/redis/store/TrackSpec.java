package io.depot.redis.store;

import io.depot.DType;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.Track;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A queue's tracks as text in its hash: one line per track, {@code B name size}, {@code A name
 * dtype shape}, {@code V name dtype max}.
 */
final class TrackSpec {
  private TrackSpec() {}

  static String encode(String queue, Track... tracks) {
    if (tracks.length == 0 || tracks.length > Track.MAX_TRACKS) {
      throw new InvalidArgumentException(
          "a queue has 1.."
              + Track.MAX_TRACKS
              + " tracks: tracks="
              + tracks.length
              + " name="
              + queue);
    }
    Set<String> names = new HashSet<>();
    StringBuilder sb = new StringBuilder();
    for (Track t : tracks) {
      if (!names.add(t.name())) {
        throw new InvalidArgumentException(
            "two tracks named track=" + t.name() + ": name=" + queue);
      }
      String n = URLEncoder.encode(t.name(), StandardCharsets.UTF_8);
      if (!t.isArray()) {
        sb.append("B ").append(n).append(' ').append(t.size());
      } else if (t.isVariableShape()) {
        sb.append("V ")
            .append(n)
            .append(' ')
            .append(Objects.requireNonNull(t.dtype()).name())
            .append(' ')
            .append(t.maxElements());
      } else {
        sb.append("A ")
            .append(n)
            .append(' ')
            .append(Objects.requireNonNull(t.dtype()).name())
            .append(' ')
            .append(RedisObjectStore.shapeText(t.shape()));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  static List<Track> decode(String spec) {
    List<Track> out = new ArrayList<>();
    for (String line : spec.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] p = line.split(" ", -1);
      String name = URLDecoder.decode(p[1], StandardCharsets.UTF_8);
      out.add(
          switch (p[0]) {
            case "B" -> Track.bytes(name, Long.parseLong(p[2]));
            case "V" -> Track.arrayUpTo(name, DType.valueOf(p[2]), Long.parseLong(p[3]));
            case "A" -> Track.array(name, DType.valueOf(p[2]), RedisObjectStore.parseShape(p[3]));
            default ->
                throw new InvalidNameException("unknown track kind in queue spec: line=" + line);
          });
    }
    return out;
  }
}
