package io.pgconn.operator.chart;

import static org.junit.jupiter.api.Assertions.fail;

import io.pgconn.operator.testenv.BuildScripts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The helm binary pinned in tools/helm/go.mod, built by tools/build-helm.sh into {@code
 * <pgconn.bin.dir>/helm/<version>/helm}. Built on first use when Go is on PATH; without either the
 * binary or Go the test fails (never skips) and says how to get it.
 */
final class Helm {

  private static final Pattern REQUIRE =
      Pattern.compile("(?m)^require\\s+helm\\.sh/helm/v3\\s+v(\\S+)\\s*$");

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
    Path tools = toolsDir();
    String version = pinnedVersion(tools);
    Path binDir =
        Path.of(
            System.getProperty(
                "pgconn.bin.dir", System.getProperty("user.home") + "/.kubeapitest"));
    Path binary = binDir.resolve("helm").resolve(version).resolve("helm");
    if (!Files.isExecutable(binary)) {
      Path script = tools.resolve("build-helm.sh");
      if (!BuildScripts.onPath("go")) {
        fail(
            "helm "
                + version
                + " is not at "
                + binary
                + " and Go is not on PATH to build it:"
                + " install Go (the module proxy must be reachable) or run "
                + script
                + " on a machine that has it");
      }
      System.err.println(
          "helm: " + binary + " missing; building it from Go modules (first time" + " only)");
      BuildScripts.run(List.of("bash", script.toString()), binDir, 30);
      if (!Files.isExecutable(binary)) {
        fail(script + " finished but " + binary + " is still missing");
      }
    }
    return new Helm(binary, home);
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

  private static String pinnedVersion(Path tools) {
    Path goMod = tools.resolve("helm/go.mod");
    try {
      Matcher m = REQUIRE.matcher(Files.readString(goMod));
      if (!m.find()) fail("no 'require helm.sh/helm/v3 vX.Y.Z' line in " + goMod);
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + goMod, e);
    }
  }
}
