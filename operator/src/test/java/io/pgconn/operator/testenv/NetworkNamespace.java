package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace this test creates ({@code ip netns add}), with one address on its own
 * loopback interface: the test node's address. Processes started through {@link #command} run
 * inside it with {@code nsenter --net}, which, unlike {@code ip netns exec}, leaves /sys alone (the
 * kubelet needs the host's cgroup mounts). Traffic between the test JVM (outside) and the namespace
 * only crosses socat forwarders whose outer side listens on 127.0.0.1: nothing is routed and no
 * interface is added outside the namespace.
 */
final class NetworkNamespace implements AutoCloseable {

  private final String name;
  private final String address;
  private boolean deleted;

  private NetworkNamespace(String name, String address) {
    this.name = name;
    this.address = address;
  }

  /** Creates namespace {@code name} with {@code address}/32 on its loopback interface. */
  static NetworkNamespace create(String name, String address) {
    run(List.of("ip", "netns", "add", name));
    NetworkNamespace ns = new NetworkNamespace(name, address);
    try {
      run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
      run(List.of("ip", "-n", name, "addr", "add", address + "/32", "dev", "lo"));
      return ns;
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  String name() {
    return name;
  }

  String address() {
    return address;
  }

  Path path() {
    return Path.of("/var/run/netns", name);
  }

  /** {@code command} prefixed so that it runs inside this namespace. */
  List<String> command(List<String> command) {
    List<String> out = new ArrayList<>(List.of("nsenter", "--net=" + path()));
    out.addAll(command);
    return out;
  }

  /** Runs {@code command} inside the namespace and returns its output; throws if it fails. */
  String exec(List<String> command) {
    return run(command(command));
  }

  /**
   * socat arguments that listen on 127.0.0.1:{@code hostPort} outside and connect each accepted
   * connection to {@code target} ("host:port") inside the namespace.
   */
  List<String> forwardIn(int hostPort, String target) {
    return List.of(
        "socat",
        "TCP-LISTEN:" + hostPort + ",bind=127.0.0.1,reuseaddr,fork",
        "EXEC:nsenter --net=" + path() + " socat STDIO TCP\\:" + target.replace(":", "\\:"));
  }

  /**
   * socat arguments (to run inside the namespace) that listen on {@code address:nodePort} and
   * connect each accepted connection to 127.0.0.1:{@code hostPort} in the test JVM's namespace.
   */
  List<String> forwardOut(int nodePort, int hostPort) {
    Path outer = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "ns", "net");
    return command(
        List.of(
            "socat",
            "TCP-LISTEN:" + nodePort + ",bind=" + address + ",reuseaddr,fork",
            "EXEC:nsenter --net=" + outer + " socat STDIO TCP\\:127.0.0.1\\:" + hostPort));
  }

  /** Deletes the namespace (and with it every interface in it: the CNI bridge, pod veths). */
  @Override
  public synchronized void close() {
    if (deleted) return;
    deleted = true;
    delete(name);
  }

  /** Deletes namespace {@code name}, saying so if it cannot. */
  static void delete(String name) {
    try {
      run(List.of("ip", "netns", "del", name));
    } catch (RuntimeException e) {
      System.err.println("real node: could not delete network namespace " + name + ": " + e);
    }
  }

  /** Runs a command to completion (60 s at most); its output, or an exception with it. */
  static String run(List<String> command) {
    try {
      Path out = Files.createTempFile("pgconn-cmd-", ".out");
      try {
        Process p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("timed out after 60 s: " + String.join(" ", command));
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
          throw new IllegalStateException(
              "exit code " + p.exitValue() + ": " + String.join(" ", command) + "\n" + output);
        }
        return output;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }
}
