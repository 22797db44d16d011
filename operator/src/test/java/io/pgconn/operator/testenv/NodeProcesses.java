package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The long-running processes of a {@link RealNode}, each logging to its own file. */
final class NodeProcesses {

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 25;

  private final Path logDir;
  private final List<Daemon> daemons = new ArrayList<>();

  NodeProcesses(Path logDir) {
    this.logDir = logDir;
  }

  synchronized void start(String name, List<String> command) {
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      Files.writeString(log, String.join(" ", command) + "\n");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      daemons.add(new Daemon(name, p, log));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** Throws naming the first process that exited. */
  synchronized void assertAlive() {
    for (Daemon d : daemons) {
      if (!d.process.isAlive()) {
        throw new IllegalStateException(d.name + " exited with code " + d.process.exitValue());
      }
    }
  }

  /** Stops the named process (and its children): SIGTERM, SIGKILL after the grace period. */
  synchronized void stop(String name) {
    List<Daemon> matching = daemons.stream().filter(d -> d.name.equals(name)).toList();
    matching.forEach(d -> stop(List.of(d)));
  }

  /** Stops every process, newest first. */
  synchronized void stopAll() {
    List<Daemon> reversed = new ArrayList<>(daemons);
    java.util.Collections.reverse(reversed);
    stop(reversed);
  }

  private static void stop(List<Daemon> list) {
    ProcessTrees.stop(list.stream().map(d -> d.process).toList(), STOP_GRACE, "real node");
  }

  synchronized String logTails() {
    StringBuilder out = new StringBuilder();
    for (Daemon d : daemons) {
      if (d.name.startsWith("expose-") || d.name.endsWith("forwarder")) continue;
      out.append("\n--- ")
          .append(d.name)
          .append(d.process.isAlive() ? "" : " (exited " + d.process.exitValue() + ")")
          .append(": ")
          .append(d.log)
          .append(" ---\n");
      List<String> errors = FullControlPlane.errorLines(d.log, 8);
      if (!errors.isEmpty()) {
        out.append("errors:\n").append(String.join("\n", errors)).append("\nlast lines:\n");
      }
      out.append(String.join("\n", FullControlPlane.tail(d.log, LOG_TAIL_LINES)));
    }
    return out.toString();
  }

  private record Daemon(String name, Process process, Path log) {}
}
