package io.pgconn.operator.testenv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stops the daemons a test environment started, with everything they started in turn. */
final class ProcessTrees {

  private ProcessTrees() {}

  /**
   * SIGTERM to every process tree (in the given order), SIGKILL to whatever outlives {@code grace};
   * says on stderr which process survived even that, naming the {@code owner} environment.
   */
  static void stop(List<Process> processes, Duration grace, String owner) {
    List<ProcessHandle> all = new ArrayList<>();
    for (Process p : processes) {
      p.descendants().forEach(all::add);
      all.add(p.toHandle());
    }
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println(owner + ": pid " + h.pid() + " did not exit after SIGKILL");
      }
    }
  }
}
