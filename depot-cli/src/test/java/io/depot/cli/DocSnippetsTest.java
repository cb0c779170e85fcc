package io.depot.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet of README.md and docs/*.md compiles as written, against Depot's modules: each
 * block becomes the body of a method of its own class, with the names it uses but does not declare
 * (a {@code depot}, some {@code weights}, a {@code plan}, ...) given as fields of the class.
 */
class DocSnippetsTest {
  @SuppressWarnings("InlineFormatString") // a class template, formatted once per snippet
  private static final String PRELUDE =
      """
      import io.depot.*;
      import io.depot.stm.*;
      import io.depot.storage.*;
      import java.lang.foreign.*;
      import java.net.URI;
      import java.time.*;
      import java.util.*;

      @SuppressWarnings("unused")
      final class %s {
        record Plan(String text) {}
        static Depot depot;
        static double[] weights;
        static String workflowInstanceId;
        static Plan plan;
        static byte[] videoBytes;
        static byte[] bytes;

        static void run() throws Exception {
      %s
        }
      }
      """;

  @TempDir Path out;

  @Test
  void everyJavaSnippetCompiles() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
    try (var files = Files.list(root.resolve("docs"))) {
      files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    List<JavaFileObject> sources = new ArrayList<>();
    Pattern block = Pattern.compile("(?s)```java\\n(.*?)```");
    for (Path doc : docs) {
      Matcher m = block.matcher(Files.readString(doc));
      while (m.find()) {
        String name =
            "Snippet" + sources.size() + "_" + doc.getFileName().toString().replaceAll("\\W", "_");
        String code = PRELUDE.formatted(name, m.group(1));
        sources.add(
            new SimpleJavaFileObject(
                URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
              @Override
              public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
              }
            });
      }
    }
    assertTrue(sources.size() >= 5, "found " + sources.size() + " snippets");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok =
        javac
            .getTask(
                errors,
                null,
                null,
                List.of(
                    "-d",
                    out.toString(),
                    "-proc:none",
                    "-classpath",
                    System.getProperty("java.class.path")),
                null,
                sources)
            .call();
    assertTrue(ok, "a documentation snippet does not compile:\n" + errors);
  }
}
