package io.pgconn.operator.scale;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JDK's jcmd against the operator's process: what its heap holds after a full collection, its
 * metaspace, the heap limit the JVM chose from the container limit, and what fills the heap.
 */
final class Jcmd {

  /** Heap and metaspace in KiB, as GC.heap_info reports them. */
  record HeapInfo(
      long heapUsedKib, long heapCommittedKib, long metaspaceUsedKib, long metaspaceCommittedKib) {
    String describe() {
      return mib(heapUsedKib)
          + " MiB heap used of "
          + mib(heapCommittedKib)
          + " MiB committed, metaspace "
          + mib(metaspaceUsedKib)
          + " MiB used of "
          + mib(metaspaceCommittedKib)
          + " MiB committed";
    }
  }

  private static final Pattern GENERATION =
      Pattern.compile("^\\s*\\S.*?\\s+total (\\d+)K, used (\\d+)K", Pattern.MULTILINE);
  private static final Pattern METASPACE =
      Pattern.compile("^\\s*Metaspace\\s+used (\\d+)K, committed (\\d+)K", Pattern.MULTILINE);
  private static final Pattern THREADS_STARTED =
      Pattern.compile("^java\\.threads\\.started=(\\d+)", Pattern.MULTILINE);
  private static final Pattern MAX_HEAP = Pattern.compile("-XX:MaxHeapSize=(\\d+)");

  private final long pid;

  Jcmd(long pid) {
    this.pid = pid;
  }

  /** A full collection (GC.run), then GC.heap_info: the heap's live set and the metaspace. */
  HeapInfo heapAfterFullGc() {
    run("GC.run");
    String info = run("GC.heap_info");
    long used = 0;
    long committed = 0;
    Matcher g = GENERATION.matcher(info);
    while (g.find()) {
      committed += Long.parseLong(g.group(1));
      used += Long.parseLong(g.group(2));
    }
    Matcher m = METASPACE.matcher(info);
    if (!m.find()) throw new IllegalStateException("no Metaspace line in GC.heap_info:\n" + info);
    return new HeapInfo(used, committed, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  /** The heap limit the JVM set itself (MaxRAMPercentage of the limit it detected), in bytes. */
  long maxHeapBytes() {
    Matcher m = MAX_HEAP.matcher(run("VM.flags"));
    if (!m.find()) throw new IllegalStateException("no MaxHeapSize in VM.flags");
    return Long.parseLong(m.group(1));
  }

  /** Threads the JVM has started since it began (the java.threads.started performance counter). */
  long threadsStarted() {
    Matcher m = THREADS_STARTED.matcher(run("PerfCounter.print"));
    if (!m.find()) throw new IllegalStateException("no java.threads.started in PerfCounter.print");
    return Long.parseLong(m.group(1));
  }

  /** The first {@code rows} classes of GC.class_histogram (live objects, by bytes). */
  List<String> histogram(int rows) {
    return run("GC.class_histogram").lines().skip(1).limit(rows + 2L).toList();
  }

  /** VM.native_memory summary (needs -XX:NativeMemoryTracking=summary): the committed lines. */
  List<String> nativeMemory() {
    return run("VM.native_memory summary")
        .lines()
        .filter(l -> l.contains("committed=") && (l.startsWith("Total") || l.startsWith("-")))
        .toList();
  }

  private String run(String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
              .redirectErrorStream(true)
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            "jcmd " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static long mib(long kib) {
    return Math.round(kib / 1024.0);
  }
}
