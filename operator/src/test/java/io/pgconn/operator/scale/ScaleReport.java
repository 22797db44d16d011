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
    int servers,
    long floorMillis,
    long readyMillis,
    Map<String, Long> convergenceRequests,
    boolean labelledSources,
    Map<String, Long> convergenceSecretWatches,
    Map<String, Long> referencedSecretWatchGauges,
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
    int pgconnLines,
    long unrelatedSecretsMillis,
    long atRestLeaseWrites,
    List<Long> rotationMillis,
    Map<String, Long> rotationWrites,
    long sameWritesFloorMillis,
    List<Long> floorSamples,
    List<Long> sameWritesFloorSamples,
    List<Long> scriptedSamples,
    List<String> operatorNotes) {

  /** Requests of each kind the harness makes before it times anything (see ScaleRun.warmUp). */
  static final int WARM_UP = 500;

  static ScaleReport measure(ScaleRun run, int n, Duration atRest, Duration atMost) {
    ScaleOptions options = run.options();
    long unrelated =
        options.unrelatedSecrets() > 0 ? run.createUnrelatedSecrets(options.unrelatedSecrets()) : 0;
    run.warmUp(Math.min(n, WARM_UP));
    List<Long> floors = rounds(options.floorRounds(), round -> run.rawWriteFloorMillis(n, round));
    run.startOperator();
    run.memoryCheckpoint("started, no policy yet", true, 0);
    if (options.operatorWarmUp() > 0) run.warmOperator(options.operatorWarmUp(), n, atMost);
    int mark = run.mark();
    long logins0 = run.sessionsOpened();
    long ready = run.applyAndAwaitReady(n, atMost);
    // Convergence ends when the operator stops writing (status and events may trail Ready).
    run.writesUntilQuiet(Duration.ofSeconds(5), atMost);
    Map<String, Long> requests = run.since(mark, r -> true);
    Map<String, Long> secretWatches = run.secretWatchesSince(mark);
    Map<String, Long> writes = run.since(mark, ScaleRun::write);
    long logins1 = run.sessionsOpened();
    run.memoryCheckpoint("converged", false, 0);
    // Right after convergence, as the one-key floor runs right before it: the machine's speed
    // drifts by a third over minutes, and a floor taken after the rest, rotations and restart
    // (as before 2026-12-04, session 21) compared the convergence with another minute's machine.
    // It copies what the operator wrote, into namespaces the operator does not watch.
    Map<String, ScaleRun.Written> written = run.operatorWrites();
    List<Long> sameWritesFloors =
        rounds(options.floorRounds(), round -> run.sameWritesFloorMillis(round, written));
    List<Long> scripted =
        rounds(
            options.scriptedRounds(),
            round -> run.scriptedConvergenceMillis(n, round, written, atMost));

    int restMark = run.mark();
    Map<String, String> statusBefore = run.statuses();
    run.awaitQuietFor(atRest);
    Map<String, Long> restWrites = run.since(restMark, ScaleRun::write);
    long restLeaseWrites = ScaleRun.total(run.since(restMark, ScaleRun::leaseWrite));
    List<String> restChanges = ScaleRun.changed(statusBefore, run.statuses(), 3);
    long logins2 = run.sessionsOpened();
    int[] lines = run.prometheusLines();
    Map<String, Long> watchGauges = run.referencedSecretWatchGauges();
    int allotted = run.allotted();
    int minLimit = run.minLimit();
    run.memoryCheckpoint("at rest", true, Integer.getInteger("scale.histogramRows", 15));

    List<Long> rotations = List.of();
    Map<String, Long> rotationWrites = Map.of();
    if (options.rotations() > 0) {
      int rotationMark = run.mark();
      rotations = run.rotate(n, options.rotations());
      run.writesUntilQuiet(Duration.ofSeconds(5), atMost);
      rotationWrites = run.since(rotationMark, ScaleRun::write);
      run.memoryCheckpoint("after " + rotations.size() + " rotations", false, 0);
    }

    run.stopOperator();
    int restartMark = run.mark();
    long t0 = System.nanoTime();
    run.startOperator();
    run.writesUntilQuiet(Duration.ofSeconds(10), atMost);
    long restartQuiet = (System.nanoTime() - t0) / 1_000_000;
    Map<String, Long> restartWrites = run.since(restartMark, ScaleRun::write);
    run.memoryCheckpoint(
        "restarted and quiet", true, Integer.getInteger("scale.restartHistogramRows", 0));
    return new ScaleReport(
        n,
        run.servers(),
        median(floors),
        ready,
        requests,
        options.labelSources(),
        secretWatches,
        watchGauges,
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
        lines[1],
        unrelated,
        restLeaseWrites,
        rotations,
        rotationWrites,
        median(sameWritesFloors),
        floors,
        sameWritesFloors,
        scripted,
        run.notes());
  }

  /** A floor measured once per round, in order. */
  private static List<Long> rounds(int count, java.util.function.IntToLongFunction floor) {
    return java.util.stream.IntStream.range(0, count).mapToObj(floor::applyAsLong).toList();
  }

  /** The median (for an even count, the lower middle): the figure a ratio divides by. */
  static long median(List<Long> samples) {
    List<Long> sorted = samples.stream().sorted().toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** The q-quantile of the samples (nearest rank): with 50 samples, p99 is the largest. */
  static long quantile(List<Long> samples, double q) {
    List<Long> sorted = samples.stream().filter(l -> l >= 0).sorted().toList();
    if (sorted.isEmpty()) return -1;
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  String describe() {
    return String.join(
        "\n",
        "scale run, "
            + n
            + " policies on "
            + (servers == 1
                ? "one server:"
                : servers + " servers (policy i on server i mod " + servers + "):"),
        "  raw-write floor ("
            + 2 * n
            + " writes, one client): "
            + floorMillis
            + " ms (median of "
            + floorSamples
            + ")",
        "  raw-write floor with the operator's own content ("
            + 2 * n
            + " server-side applies of the targets and statuses it wrote, one client): "
            + sameWritesFloorMillis
            + " ms (median of "
            + sameWritesFloorSamples
            + ")",
        "  all Ready: "
            + readyMillis
            + " ms after the apply began (ratio to the floor "
            + String.format("%.1f", (double) readyMillis / Math.max(1, floorMillis))
            + "; to the floor with the operator's own content "
            + String.format("%.1f", (double) readyMillis / Math.max(1, sameWritesFloorMillis))
            + ")",
        scriptedSamples.isEmpty()
            ? "  the operator's writes by a plain client in step with an apply: not measured"
            : "  the operator's writes by a plain client in step with an apply (a bound on"
                + " convergence for any operator making them): "
                + median(scriptedSamples)
                + " ms (median of "
                + scriptedSamples
                + "; ratio to the floor with the operator's own content "
                + String.format(
                    "%.1f", (double) median(scriptedSamples) / Math.max(1, sameWritesFloorMillis))
                + "; the convergence is "
                + String.format("%.1f", (double) readyMillis / Math.max(1, median(scriptedSamples)))
                + " times it)",
        "  convergence requests: "
            + ScaleRun.total(convergenceRequests)
            + " ("
            + ScaleRun.table(convergenceRequests)
            + ")",
        "  watches on Secrets opened during convergence ("
            + (labelledSources ? "sources labelled " : "sources NOT labelled ")
            + "pgconn.io/source-secret): "
            + ScaleRun.total(convergenceSecretWatches)
            + " ("
            + ScaleRun.table(convergenceSecretWatches)
            + "); open at rest by kind (pgconn_referenced_secret_watches): "
            + referencedSecretWatchGauges,
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
        "  /prometheus: " + prometheusLines + " lines, " + pgconnLines + " of them pgconn_",
        unrelatedSecretsMillis == 0
            ? "  no unrelated Secrets"
            : "  unrelated Secrets created before the start in " + unrelatedSecretsMillis + " ms",
        "  Lease writes (leader election) at rest: " + atRestLeaseWrites,
        rotationMillis.isEmpty()
            ? "  rotation: not measured"
            : "  rotation, source write to target seen ("
                + rotationMillis.size()
                + " samples, "
                + rotationMillis.stream().filter(l -> l < 0).count()
                + " not seen within 30 s and left out): p50 "
                + quantile(rotationMillis, 0.5)
                + " ms, p99 "
                + quantile(rotationMillis, 0.99)
                + " ms, max "
                + quantile(rotationMillis, 1.0)
                + " ms; all "
                + rotationMillis
                + "; the operator's writes for them: "
                + ScaleRun.table(rotationWrites),
        operatorNotes.isEmpty()
            ? "  operator in the test JVM"
            : "  operator process:\n    " + String.join("\n    ", operatorNotes));
  }
}
