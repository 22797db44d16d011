package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kubectl pgconn} plugin as a user runs it: the script from {@code plugin/}, found by
 * kubectl on PATH, against a cluster's kubeconfig.
 */
public final class PgconnPlugin {

  public record Run(int exit, String out, String err) {
    public String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Path kubectl;
  private final Path kubeconfig;

  public PgconnPlugin(Path kubectl, Path kubeconfig) {
    this.kubectl = kubectl;
    this.kubeconfig = kubeconfig;
  }

  public static Path script() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("plugin/kubectl-pgconn"))) {
      dir = dir.getParent();
    }
    if (dir == null) throw new IllegalStateException("plugin/kubectl-pgconn not found above cwd");
    return dir.resolve("plugin/kubectl-pgconn");
  }

  /** {@code kubectl pgconn args...}: kubectl finds the plugin on PATH, as krew installs it. */
  public Run run(String... args) {
    List<String> command = new ArrayList<>(List.of(kubectl.toString(), "pgconn"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder
        .environment()
        .put(
            "PATH",
            script().getParent()
                + ":"
                + kubectl.getParent()
                + ":"
                + builder.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().remove("PGCONN_IMAGE");
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      CompletableFuture<String> err =
          CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
      String out = read(process.getInputStream());
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl pgconn " + String.join(" ", args) + " ran 5 minutes");
      }
      return new Run(process.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
