package io.pgconn.operator.scale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A memory cgroup with a hard limit, as a container's memory limit is: the kernel charges every
 * page of its processes (heap, metaspace, thread stacks, code cache, the page cache of the jars it
 * reads) and kills one when the limit cannot be met by reclaim. Created as a child of this
 * process's own memory cgroup, so whatever already accounts for this JVM still accounts for it.
 * cgroup v2 (memory.max) when /sys/fs/cgroup is the unified hierarchy, else v1
 * (memory.limit_in_bytes under /sys/fs/cgroup/memory). Needs root.
 */
final class MemoryCgroup implements AutoCloseable {

  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final Path dir;
  private final boolean v2;

  private MemoryCgroup(Path dir, boolean v2) {
    this.dir = dir;
    this.v2 = v2;
  }

  /** A new cgroup named {@code name} limited to {@code limitBytes}. */
  static MemoryCgroup create(String name, long limitBytes) {
    try {
      boolean v2 = Files.isRegularFile(ROOT.resolve("cgroup.controllers"));
      Path parent = v2 ? v2Parent() : v1Parent();
      Path dir = parent.resolve(name);
      if (Files.isDirectory(dir)) Files.delete(dir); // left by a killed run; empty, or this fails
      Files.createDirectory(dir);
      MemoryCgroup cgroup = new MemoryCgroup(dir, v2);
      if (v2) {
        cgroup.write("memory.max", Long.toString(limitBytes));
        // No swap in a container limit's sense: the limit is what the pod may hold.
        if (Files.exists(dir.resolve("memory.swap.max"))) cgroup.write("memory.swap.max", "0");
      } else {
        cgroup.write("memory.limit_in_bytes", Long.toString(limitBytes));
      }
      return cgroup;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a memory cgroup (root and cgroupfs needed)", e);
    }
  }

  /**
   * v2: the root cgroup, whose subtree_control may enable memory (the root is exempt from the rule
   * that a cgroup with processes cannot delegate controllers).
   */
  private static Path v2Parent() throws IOException {
    String enabled = Files.readString(ROOT.resolve("cgroup.subtree_control"));
    if (!enabled.contains("memory"))
      Files.writeString(ROOT.resolve("cgroup.subtree_control"), "+memory");
    return ROOT;
  }

  /** v1: this process's own memory cgroup (the "N:memory:/path" line of /proc/self/cgroup). */
  private static Path v1Parent() throws IOException {
    String own =
        Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
            .map(l -> l.split(":", 3))
            .filter(f -> f.length == 3 && f[1].equals("memory"))
            .map(f -> f[2])
            .findFirst()
            .orElseThrow(() -> new IOException("no memory controller in /proc/self/cgroup"));
    return ROOT.resolve("memory").resolve(own.substring(1));
  }

  /** The file a process writes its pid to, to join. */
  Path procs() {
    return dir.resolve("cgroup.procs");
  }

  String describe() {
    return (v2 ? "cgroup v2 " : "cgroup v1 ") + dir;
  }

  /** Bytes charged now (memory.current, v1 memory.usage_in_bytes): includes page cache. */
  long current() {
    return readLong(v2 ? "memory.current" : "memory.usage_in_bytes");
  }

  /**
   * The most ever charged (memory.peak, v1 memory.max_usage_in_bytes); empty if the kernel has
   * none.
   */
  Optional<Long> peak() {
    String file = v2 ? "memory.peak" : "memory.max_usage_in_bytes";
    return Files.exists(dir.resolve(file)) ? Optional.of(readLong(file)) : Optional.empty();
  }

  /** Anonymous memory charged (heap, stacks, malloc): memory.stat anon, v1 total_rss. */
  long anon() {
    return stat(v2 ? "anon" : "total_rss");
  }

  /** Page cache charged (mostly the jars read at start-up; reclaimable). */
  long pageCache() {
    return stat(v2 ? "file" : "total_cache");
  }

  /**
   * Processes the kernel's OOM killer killed in this cgroup (memory.events / memory.oom_control).
   */
  long oomKills() {
    return keyed(v2 ? "memory.events" : "memory.oom_control", "oom_kill");
  }

  /**
   * Times the limit was hit (memory.events max, v1 memory.failcnt): reclaim ran, no kill implied.
   */
  long limitHits() {
    return v2 ? keyed("memory.events", "max") : readLong("memory.failcnt");
  }

  private long stat(String key) {
    return keyed("memory.stat", key);
  }

  private long keyed(String file, String key) {
    try {
      return Files.readAllLines(dir.resolve(file)).stream()
          .map(l -> l.split(" "))
          .filter(f -> f.length == 2 && f[0].equals(key))
          .mapToLong(f -> Long.parseLong(f[1]))
          .findFirst()
          .orElse(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long readLong(String file) {
    try {
      return Long.parseLong(Files.readString(dir.resolve(file)).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String file, String value) throws IOException {
    Files.writeString(dir.resolve(file), value);
  }

  /** Removes the cgroup; its processes must have exited. */
  @Override
  public void close() throws IOException {
    Files.deleteIfExists(dir);
  }
}
