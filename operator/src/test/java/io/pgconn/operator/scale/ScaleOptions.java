package io.pgconn.operator.scale;

/**
 * How a scale run runs the operator and what it adds to the cluster.
 *
 * @param process the operator as its own JVM in a memory cgroup (OperatorProcess), as the chart
 *     runs it with leader election; else inside the test JVM
 * @param memoryLimitBytes the cgroup's limit in process mode (the container's memory limit)
 * @param unrelatedSecrets Secrets created before the operator starts that no policy references,
 *     half in the watched namespace and half in another
 * @param rotations policies whose source is rotated one at a time to measure rotation latency
 * @param labelSources whether the source Secrets carry pgconn.io/source-secret=true (watched with
 *     one watch for the namespace) or not (a watch each, as before the label existed)
 * @param poolMax every policy's auto.max, or 0 for the largest its server has room for with all of
 *     them at it (at 1,000 policies on 1,100 slots that is 1, so min is max: one size, decided at
 *     once); a larger one leaves room to share, and newcomers then settle together
 * @param floorRounds how many times each floor is measured, each round in a namespace of its own;
 *     the report divides by the median. One client's serial writes wait on etcd's fsync, which
 *     varied by a quarter between runs on this VM's disk (session 16)
 * @param scriptedRounds how many times the operator's writes are made by a plain client in step
 *     with a second apply (ScaleRun#scriptedConvergenceMillis), a bound on convergence for any
 *     operator that makes them; 0 skips it
 * @param operatorWarmUp policies applied, awaited Ready and deleted after the operator starts and
 *     before anything of it is timed: a diagnostic of what its JIT warm-up costs the convergence
 *     (0, the default, times a cold operator, as a fresh install meets a sync)
 */
record ScaleOptions(
    boolean process,
    long memoryLimitBytes,
    int unrelatedSecrets,
    int rotations,
    boolean labelSources,
    int poolMax,
    int floorRounds,
    int scriptedRounds,
    int operatorWarmUp) {

  static ScaleOptions inTestJvm() {
    return new ScaleOptions(false, 0, 0, 0, true, 0, 1, 0, 0);
  }

  /**
   * From -Dscale.process (default false), -Dscale.memoryLimitMiB (256), -Dscale.unrelatedSecrets
   * (10,000 in process mode, else 0), -Dscale.rotations (50), -Dscale.labelSources (true) and
   * -Dscale.poolMax (0), -Dscale.floorRounds (3), -Dscale.scriptedRounds (3) and
   * -Dscale.operatorWarmUp (0).
   */
  static ScaleOptions fromSystemProperties() {
    boolean process = Boolean.getBoolean("scale.process");
    return new ScaleOptions(
        process,
        Long.getLong("scale.memoryLimitMiB", 256) * 1024 * 1024,
        Integer.getInteger("scale.unrelatedSecrets", process ? 10_000 : 0),
        Integer.getInteger("scale.rotations", 50),
        Boolean.parseBoolean(System.getProperty("scale.labelSources", "true")),
        Integer.getInteger("scale.poolMax", 0),
        Math.max(1, Integer.getInteger("scale.floorRounds", 3)),
        Math.max(0, Integer.getInteger("scale.scriptedRounds", 3)),
        Math.max(0, Integer.getInteger("scale.operatorWarmUp", 0)));
  }
}
