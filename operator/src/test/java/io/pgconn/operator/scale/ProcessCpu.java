package io.pgconn.operator.scale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time as Linux counts it in {@code /proc}: what the benchmarks here measure. */
final class ProcessCpu {

  private ProcessCpu() {}

  /** User plus system time of the process, in clock ticks (1/100 s). */
  static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name in parentheses may hold spaces: the fields are counted after it.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pid of the process whose command name ({@code /proc/<pid>/comm}) is {@code comm}. */
  static long pidOf(String comm) {
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        try {
          if (Files.readString(dir.resolve("comm")).strip().equals(comm)) {
            return Long.parseLong(name);
          }
        } catch (IOException gone) {
          // The process ended while the directory was listed.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no process named " + comm);
  }
}
