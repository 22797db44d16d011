package io.pgconn.operator.testenv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a {@link RealNode} leaves behind once its processes are gone, removed so that a test run
 * (passing, failing, or interrupted before its JVM exits) leaves the machine as it found it:
 * container processes under this node's shims, mounts under its directory, the pods' network
 * namespaces, the containers' cgroups. Each step is best effort and says what it could not do.
 */
final class NodeCleanup {

  private static final Path NETNS_DIR = Path.of("/var/run/netns");
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Path CNI_RESULTS = Path.of("/var/lib/cni/results");

  private NodeCleanup() {}

  /**
   * Kills every containerd shim started by the containerd listening on {@code socket}, and the
   * container processes under it (a shim is their subreaper). Found by command line, so it works
   * also when containerd itself is already gone.
   */
  static void killShims(Path socket) {
    String address = socket.toString();
    List<ProcessHandle> shims =
        ProcessHandle.allProcesses()
            .filter(
                p -> {
                  String cmd = p.info().commandLine().orElse("");
                  return cmd.contains("containerd-shim") && cmd.contains(address);
                })
            .toList();
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle shim : shims) {
      shim.descendants().forEach(all::add);
      all.add(shim);
    }
    killAndAwait(all);
  }

  /** SIGKILL to each, then waits up to 10 s for each to exit. */
  static void killAndAwait(List<ProcessHandle> processes) {
    processes.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : processes) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("real node: pid " + h.pid() + " survived SIGKILL");
      }
    }
  }

  /** Lazily unmounts every mount point under {@code dir}, deepest first. */
  static void unmountUnder(Path dir) {
    String prefix = dir.toString() + "/";
    for (String mountPoint : mountPoints()) {
      if (mountPoint.startsWith(prefix)) umount(mountPoint);
    }
  }

  /** Names under /var/run/netns now. */
  static Set<String> netnsNames() {
    Set<String> names = new HashSet<>();
    try (Stream<Path> s = Files.list(NETNS_DIR)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    } catch (IOException e) {
      // no such directory yet: nothing there
    }
    return names;
  }

  /**
   * What a node leaves once its processes are gone: the mounts under its directory, its pods'
   * network namespaces, its containers' CNI results and cgroups. {@code ids} and {@code podNetns}
   * are read ({@link #containerIds}, {@link #podNetnsOf}) before any process is stopped: containerd
   * deletes a task's state once it sees the task's shim gone.
   */
  static void removeLeftovers(Path dir, List<String> ids, List<String> podNetns) {
    unmountUnder(dir);
    removeNetns(podNetns);
    removeCniResults(ids);
    removeContainerCgroups(ids);
  }

  /** Unmounts and deletes these network namespaces (names under /var/run/netns). */
  static void removeNetns(List<String> names) {
    for (String name : names) {
      Path p = NETNS_DIR.resolve(name);
      if (!Files.exists(p)) continue;
      umount(realPath(p).toString());
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        System.err.println("real node: cannot delete " + p + ": " + e.getMessage());
      }
    }
  }

  /** The ids of the containers and pod sandboxes this node's containerd ran (its task state). */
  static List<String> containerIds(Path dir) {
    try (Stream<Path> s = Files.list(tasks(dir))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      // containerd removed its task state (and runc the cgroups) itself
      return List.of();
    }
  }

  /**
   * The pod network namespaces of this node's sandboxes, as their runc bundles name them: the CRI
   * creates them under /var/run/netns, outside the node's directory, with random names.
   */
  static List<String> podNetnsOf(Path dir) {
    Pattern netns = Pattern.compile("\"(?:/var)?/run/netns/(cni-[0-9a-f-]+)\"");
    Set<String> names = new TreeSet<>();
    for (String id : containerIds(dir)) {
      try {
        Matcher m = netns.matcher(Files.readString(tasks(dir).resolve(id).resolve("config.json")));
        while (m.find()) names.add(m.group(1));
      } catch (IOException e) {
        // no bundle: nothing to find
      }
    }
    return List.copyOf(names);
  }

  private static Path tasks(Path dir) {
    return dir.resolve("containerd/state/io.containerd.runtime.v2.task/k8s.io");
  }

  /**
   * runc (cgroupfs driver, no QoS cgroups) makes one cgroup per container and sandbox, named after
   * its id, in every hierarchy: removes the now empty ones of these containers.
   */
  static void removeContainerCgroups(List<String> containerIds) {
    Set<String> ids = new HashSet<>(containerIds);
    if (!ids.isEmpty()) {
      try (Stream<Path> s = Files.walk(CGROUP_ROOT, 4)) {
        s.filter(Files::isDirectory)
            .filter(p -> ids.contains(p.getFileName().toString()))
            .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
            .forEach(
                p -> {
                  try {
                    Files.delete(p);
                  } catch (IOException e) {
                    System.err.println("real node: cannot remove cgroup " + p + ": " + e);
                  }
                });
      } catch (IOException | RuntimeException e) {
        System.err.println("real node: cannot scan cgroups: " + e.getMessage());
      }
    }
    // Their parent (containerd's namespace name), when nothing else is in it: rmdir of a cgroup
    // that still has children or tasks fails, so another user's containers are never touched.
    try (Stream<Path> s = Files.list(CGROUP_ROOT)) {
      s.map(h -> h.resolve("k8s.io")).filter(Files::isDirectory).forEach(NodeCleanup::rmdirQuietly);
    } catch (IOException e) {
      // nothing to remove
    }
  }

  /**
   * libcni caches each network attachment's result under /var/lib/cni/results, one file per sandbox
   * and network, named after the sandbox id, and removes it only when the runtime tears the pod's
   * network down; a node stopped with its pods still running leaves them. Removes this node's (the
   * directories stay: libcni's, not ours).
   */
  static void removeCniResults(List<String> containerIds) {
    if (containerIds.isEmpty() || !Files.isDirectory(CNI_RESULTS)) return;
    try (Stream<Path> s = Files.list(CNI_RESULTS)) {
      s.filter(p -> containerIds.stream().anyMatch(id -> p.getFileName().toString().contains(id)))
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  System.err.println("real node: cannot delete " + p + ": " + e.getMessage());
                }
              });
    } catch (IOException e) {
      System.err.println("real node: cannot list " + CNI_RESULTS + ": " + e.getMessage());
    }
  }

  private static void rmdirQuietly(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      // in use: not ours alone
    }
  }

  /**
   * Deletes {@code dir} except {@code keep} (its logs, when asked to keep them). Refuses when a
   * mount is still under it: deleting through a mount would delete what it shows.
   */
  static void deleteDirectory(Path dir, Path keep) {
    String prefix = dir.toString() + "/";
    List<String> left = mountPoints().stream().filter(m -> m.startsWith(prefix)).toList();
    if (!left.isEmpty()) {
      System.err.println("real node: not deleting " + dir + ", still mounted: " + left);
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .filter(p -> keep == null || !(p.startsWith(keep) || keep.startsWith(p)))
          .forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("real node: cannot delete " + dir + ": " + e.getMessage());
    }
    if (keep != null) System.err.println("real node: logs kept in " + keep);
  }

  /** /var/run is a link to /run here; mountinfo names the real path. */
  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  /** Mount points of this mount namespace, deepest first. */
  static List<String> mountPoints() {
    List<String> points = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4) points.add(unescape(f[4]));
      }
    } catch (IOException e) {
      return List.of();
    }
    points.sort(Comparator.comparingInt(String::length).reversed());
    return points;
  }

  private static void umount(String mountPoint) {
    try {
      NetworkNamespace.run(List.of("umount", "-l", mountPoint));
    } catch (RuntimeException e) {
      System.err.println("real node: cannot unmount " + mountPoint + ": " + e.getMessage());
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String unescape(String s) {
    return s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\");
  }
}
