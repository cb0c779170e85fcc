package io.depot.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * How the Redis backends run their commands and Lua scripts over one connection: each call's
 * Lettuce failure becomes the backend's own exception ({@link #translate}), and scripts run by SHA
 * ({@code EVALSHA}), each loaded ({@code SCRIPT LOAD}) on first use. When the server does not know
 * a SHA ({@code NOSCRIPT}: it restarted, failed over, or is a cluster node that has not seen the
 * script), the script runs as the backend's {@link OnNoScript} says. Thread-safe.
 */
public abstract class RedisCalls {
  /** What to do on {@code NOSCRIPT}. */
  public enum OnNoScript {
    /** Load the script again and run it by its SHA. */
    RELOAD,
    /** Run it by its source ({@code EVAL}), which also reaches a node the load did not. */
    EVAL
  }

  private final RedisClusterCommands<byte[], byte[]> scriptCommands;
  private final OnNoScript onNoScript;
  private final Map<String, String> shas = new ConcurrentHashMap<>();

  /**
   * Calls over {@code commands}.
   *
   * @param commands the commands of a standalone server or a cluster, which scripts run on
   * @param onNoScript what to do when the server does not know a script's SHA
   */
  protected RedisCalls(RedisClusterCommands<byte[], byte[]> commands, OnNoScript onNoScript) {
    this.scriptCommands = commands;
    this.onNoScript = onNoScript;
  }

  /**
   * {@return the backend's exception for a Lettuce failure of {@code operation}}
   *
   * @param e what Lettuce threw
   * @param operation the operation that failed, for the message
   */
  protected abstract RuntimeException translate(RuntimeException e, String operation);

  /**
   * Runs a command, translating Lettuce's failures.
   *
   * @param <T> the command's result type
   * @param operation the operation, for a failure's message
   * @param command the command
   * @return its result
   */
  public final <T> T call(String operation, Supplier<T> command) {
    try {
      return command.get();
    } catch (RuntimeException e) {
      throw translate(e, operation);
    }
  }

  /**
   * Runs a script, translating Lettuce's failures.
   *
   * @param <T> the reply's type, which follows {@code type} (as in Lettuce's {@code evalsha})
   * @param operation the operation, for a failure's message
   * @param source the script's source
   * @param type the type of its reply
   * @param keys its keys ({@code KEYS})
   * @param args its arguments ({@code ARGV})
   * @return its reply
   */
  @SuppressWarnings("TypeParameterUnusedInFormals") // the reply's type follows ScriptOutputType
  public final <T> T script(
      String operation, String source, ScriptOutputType type, byte[][] keys, byte[]... args) {
    return call(operation, () -> run(source, type, keys, args));
  }

  @SuppressWarnings("TypeParameterUnusedInFormals")
  private <T> T run(String source, ScriptOutputType type, byte[][] keys, byte[]... args) {
    String sha = shas.computeIfAbsent(source, scriptCommands::scriptLoad);
    try {
      return scriptCommands.evalsha(sha, type, keys, args);
    } catch (RedisCommandExecutionException e) {
      // RedisNoScriptException, or a NOSCRIPT error reply Lettuce did not map to it
      boolean noScript =
          e instanceof RedisNoScriptException
              || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
      if (!noScript) {
        throw e;
      }
      if (onNoScript == OnNoScript.EVAL) {
        return scriptCommands.eval(source, type, keys, args);
      }
      String loaded = scriptCommands.scriptLoad(source);
      shas.put(source, loaded);
      return scriptCommands.evalsha(loaded, type, keys, args);
    }
  }
}
