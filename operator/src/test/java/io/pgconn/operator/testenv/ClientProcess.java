package io.pgconn.operator.testenv;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A client program (psql, node) as the client judges run it: no PG* variables from this JVM, HOME
 * an empty directory under the test's scratch directory (so no ~/.pgpass, service file or
 * ~/.postgresql/root.crt takes part), stdin closed, {@code env} added.
 */
public final class ClientProcess {

  private ClientProcess() {}

  public record Result(int exit, String out, String err) {}

  public static Result run(
      Path scratch, List<String> command, Map<String, String> env, Path dir, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(scratch, "out-", ".txt");
    Path err = Files.createTempFile(scratch, "err-", ".txt");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
      pb.environment().put("HOME", scratch.resolve("home").toString());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            command.get(0) + " did not finish within " + timeoutSeconds + " s");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      try {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The program's path on PATH, or null. */
  public static String onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.canExecute()) return f.getPath();
    }
    return null;
  }
}
