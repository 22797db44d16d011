package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the tools/ scripts that build test binaries from Go modules, with their progress shown. */
public final class BuildScripts {

  private BuildScripts() {}

  /** Runs a build script with PGCONN_BIN_DIR set; fails if it fails or overruns. */
  public static void run(List<String> command, Path binDir, int timeoutMinutes) {
    runWithEnv(command, "PGCONN_BIN_DIR", binDir.toString(), timeoutMinutes);
  }

  /** Runs a build script with one environment variable set; fails if it fails or overruns. */
  public static void runWithEnv(
      List<String> command, String variable, String value, int timeoutMinutes) {
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put(variable, value);
    try {
      Process process = builder.start();
      if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not finish in " + timeoutMinutes + " min");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(command + " failed with exit code " + process.exitValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** tools/ of this repository: -Dpgconn.tools.dir, or found above the working directory. */
  public static Path toolsDir() {
    String configured = System.getProperty("pgconn.tools.dir");
    if (configured != null) return Path.of(configured).toAbsolutePath().normalize();
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("tools/build-control-plane.sh"))) return p.resolve("tools");
    }
    return here.resolve("tools");
  }

  public static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return false;
  }
}
