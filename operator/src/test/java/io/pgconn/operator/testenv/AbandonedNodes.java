package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Real nodes whose test JVM died before its teardown ran ({@code kill -9}, a CI job cancelled, a
 * session ended mid-suite): their control plane, containerd, kubelet and pods outlive it as
 * orphans, and their mounts, network namespaces, cgroups and directory stay. Each node claims its
 * directory with an owner file naming its JVM (pid and start time) and its network namespace,
 * before it creates anything else; the next node to start removes every node whose owner is gone,
 * as its teardown would have. A node that tore down deletes its owner file, so a directory kept for
 * its logs is left alone.
 */
final class AbandonedNodes {

  static final Path TMP = Path.of("/tmp");
  static final String PREFIX = "pgconn-node-";
  private static final String OWNER_FILE = "owner";

  private AbandonedNodes() {}

  /** What a node records about itself before it starts anything. */
  record Owner(long pid, Instant started, String netns) {

    /** Whether the JVM that wrote this still runs (the same pid with the same start time). */
    boolean alive() {
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .map(h -> h.info().startInstant().map(started::equals).orElse(true))
          .orElse(false);
    }
  }

  /** Claims {@code dir} for this JVM; {@code netns} is the namespace it is about to create. */
  static void claim(Path dir, String netns) {
    ProcessHandle self = ProcessHandle.current();
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(self.pid()));
    p.setProperty("started", self.info().startInstant().orElseThrow().toString());
    p.setProperty("netns", netns);
    try (var out = Files.newBufferedWriter(dir.resolve(OWNER_FILE), StandardCharsets.UTF_8)) {
      p.store(out, "a pgconn test node; removed when its owner is gone (AbandonedNodes)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node tore down: whatever is left in {@code dir} (its kept logs) is no longer a node. */
  static void release(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(OWNER_FILE));
    } catch (IOException e) {
      System.err.println("real node: cannot delete " + dir.resolve(OWNER_FILE) + ": " + e);
    }
  }

  /** Who claimed {@code dir}, if anybody did and has not released it. */
  static Optional<Owner> owner(Path dir) {
    Path file = dir.resolve(OWNER_FILE);
    if (!Files.isRegularFile(file)) return Optional.empty();
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
      return Optional.of(
          new Owner(
              Long.parseLong(p.getProperty("pid")),
              Instant.parse(p.getProperty("started")),
              p.getProperty("netns")));
    } catch (IOException | RuntimeException e) {
      System.err.println("real node: unreadable " + file + ": " + e);
      return Optional.empty();
    }
  }

  /** Removes every node under /tmp whose owner is gone; returns their directories. */
  static List<Path> sweep() {
    List<Path> removed = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(TMP)) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX)).toList()) {
        Optional<Owner> owner = owner(dir);
        if (owner.isPresent() && !owner.get().alive()) {
          System.err.println(
              "real node: removing " + dir + ", left by pid " + owner.get().pid() + " (gone)");
          remove(dir, owner.get());
          removed.add(dir);
        }
      }
    } catch (IOException e) {
      System.err.println("real node: cannot list " + TMP + ": " + e);
    }
    return removed;
  }

  /**
   * Its orphans (the kubelet first, so it restarts nothing; then the containers through their
   * shims; then containerd, the control plane and forwarders), its mounts, its pods' and its own
   * network namespaces, its containers' cgroups and CNI results, and the directory.
   */
  private static void remove(Path dir, Owner owner) {
    String path = dir + "/";
    Path netnsPath = Path.of("/var/run/netns", owner.netns());
    List<String> ids = NodeCleanup.containerIds(dir);
    List<String> podNetns = NodeCleanup.podNetnsOf(dir);
    kill(p -> p.contains(path) && p.contains("kubelet") && !p.contains("containerd-shim"));
    NodeCleanup.killShims(new NodeFiles(dir, RealNode.NODE_IP).containerdSocket());
    kill(p -> p.contains(path) || p.contains(netnsPath.toString()));
    NodeCleanup.removeLeftovers(dir, ids, podNetns);
    if (NodeCleanup.netnsNames().contains(owner.netns())) NetworkNamespace.delete(owner.netns());
    release(dir);
    NodeCleanup.deleteDirectory(dir, null);
  }

  private static void kill(Predicate<String> commandLine) {
    NodeCleanup.killAndAwait(
        ProcessHandle.allProcesses()
            .filter(h -> h.pid() != ProcessHandle.current().pid())
            .filter(h -> commandLine.test(h.info().commandLine().orElse("")))
            .toList());
  }
}
