package io.pgconn.operator.chart;

import static org.junit.jupiter.api.Assertions.fail;

import io.pgconn.operator.testenv.BuildScripts;
import io.pgconn.operator.testenv.GoTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The helm binary pinned in tools/helm/go.mod, built by tools/build-helm.sh ({@link GoTool}). */
final class Helm {

  private final Path binary;
  private final Path home;

  private Helm(Path binary, Path home) {
    this.binary = binary;
    this.home = home;
  }

  /**
   * @param home scratch directory for helm's cache/config/data, so runs never touch ~/.config
   */
  static Helm locate(Path home) {
    return new Helm(GoTool.locate("helm", "helm.sh/helm/v3"), home);
  }

  Path binary() {
    return binary;
  }

  Result run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(args);
    try {
      Path out = Files.createTempFile(home, "helm-", ".out");
      Path err = Files.createTempFile(home, "helm-", ".err");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
      builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
      builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      builder.environment().remove("KUBECONFIG");
      Process process = builder.start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail(command + " did not finish in 2 minutes");
      }
      return new Result(
          command,
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    boolean ok() {
      return exitCode == 0;
    }

    String describe() {
      return String.join(" ", command)
          + " -> exit "
          + exitCode
          + "\n--- stdout\n"
          + stdout
          + "\n--- stderr\n"
          + stderr;
    }
  }

  static Path toolsDir() {
    Path tools = BuildScripts.toolsDir();
    if (!Files.isRegularFile(tools.resolve("build-helm.sh"))) {
      fail("cannot find tools/build-helm.sh (looked in " + tools + "); set -Dpgconn.tools.dir");
    }
    return tools;
  }

  static Path repoRoot() {
    return toolsDir().getParent();
  }
}
