package io.pgconn.operator.scale;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One run of {@link ScaleRun} at n policies: the floor, convergence, at rest and restart, with the
 * operator's requests counted from the audit log.
 */
record ScaleReport(
    int n,
    long floorMillis,
    long readyMillis,
    Map<String, Long> convergenceRequests,
    Map<String, Long> convergenceWrites,
    long convergenceLogins,
    Duration atRest,
    Map<String, Long> atRestWrites,
    List<String> atRestChanges,
    long atRestLogins,
    long restartQuietMillis,
    Map<String, Long> restartWrites,
    int allotted,
    int minLimit,
    int prometheusLines,
    int pgconnLines) {

  static ScaleReport measure(ScaleRun run, int n, Duration atRest, Duration atMost) {
    long floor = run.rawWriteFloorMillis(n);
    run.startOperator();
    int mark = run.mark();
    long logins0 = run.sessionsOpened();
    long ready = run.applyAndAwaitReady(n, atMost);
    // Convergence ends when the operator stops writing (status and events may trail Ready).
    run.writesUntilQuiet(Duration.ofSeconds(5), atMost);
    Map<String, Long> requests = run.since(mark, r -> true);
    Map<String, Long> writes = run.since(mark, ScaleRun::write);
    long logins1 = run.sessionsOpened();

    int restMark = run.mark();
    Map<String, String> statusBefore = run.statuses();
    run.awaitQuietFor(atRest);
    Map<String, Long> restWrites = run.since(restMark, ScaleRun::write);
    List<String> restChanges = ScaleRun.changed(statusBefore, run.statuses(), 3);
    long logins2 = run.sessionsOpened();
    int[] lines = run.prometheusLines();
    int allotted = run.allotted();
    int minLimit = run.minLimit();

    run.stopOperator();
    int restartMark = run.mark();
    long t0 = System.nanoTime();
    run.startOperator();
    run.writesUntilQuiet(Duration.ofSeconds(10), atMost);
    long restartQuiet = (System.nanoTime() - t0) / 1_000_000;
    Map<String, Long> restartWrites = run.since(restartMark, ScaleRun::write);
    return new ScaleReport(
        n,
        floor,
        ready,
        requests,
        writes,
        logins1 - logins0,
        atRest,
        restWrites,
        restChanges,
        logins2 - logins1,
        restartQuiet,
        restartWrites,
        allotted,
        minLimit,
        lines[0],
        lines[1]);
  }

  String describe() {
    return String.join(
        "\n",
        "scale run, " + n + " policies on one server:",
        "  raw-write floor (" + 2 * n + " writes, one client): " + floorMillis + " ms",
        "  all Ready: "
            + readyMillis
            + " ms after the apply began (ratio to the floor "
            + String.format("%.1f", (double) readyMillis / Math.max(1, floorMillis))
            + ")",
        "  convergence requests: "
            + ScaleRun.total(convergenceRequests)
            + " ("
            + ScaleRun.table(convergenceRequests)
            + ")",
        "  convergence writes: "
            + ScaleRun.total(convergenceWrites)
            + " ("
            + String.format("%.1f", (double) ScaleRun.total(convergenceWrites) / n)
            + " per policy: "
            + ScaleRun.table(convergenceWrites)
            + ")",
        "  probe logins during convergence: " + convergenceLogins,
        "  at rest for "
            + atRest.toSeconds()
            + " s: "
            + ScaleRun.total(atRestWrites)
            + " writes ("
            + ScaleRun.table(atRestWrites)
            + "), "
            + atRestLogins
            + " logins"
            + (atRestChanges.isEmpty() ? "" : "; status changes: " + atRestChanges),
        "  restart: quiet "
            + restartQuietMillis
            + " ms after start, writes: "
            + ScaleRun.total(restartWrites)
            + " ("
            + ScaleRun.table(restartWrites)
            + ")",
        "  pool: Σ consumers × limit = " + allotted + ", smallest limit " + minLimit,
        "  /prometheus: " + prometheusLines + " lines, " + pgconnLines + " of them pgconn_");
  }
}
