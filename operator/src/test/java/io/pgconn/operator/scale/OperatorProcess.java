package io.pgconn.operator.scale;

import io.pgconn.operator.testenv.BuildScripts;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator as its own JVM, started as the image and the chart start it: the image's java flags
 * (operator/pom.xml, jib jvmFlags), the chart's JAVA_TOOL_OPTIONS (helm/pgconn-operator
 * values.yaml, plus -XX:+ExitOnOutOfMemoryError as its helper adds), {@code run}, the chart's
 * PGCONN_* environment (leader election on, a Lease of its own identity), the runtime classpath
 * only. It joins a memory cgroup before the JVM starts, so the JVM sizes its heap from that limit
 * and the kernel enforces it, as in a container.
 */
final class OperatorProcess implements AutoCloseable {

  static final String MAIN = "io.pgconn.operator.app.PgconnCommand";

  private final Process process;
  private final MemoryCgroup cgroup;
  private final int httpPort;
  private final int metricsPort;
  private final Path log;
  private final String javaToolOptions;
  private final long startedNanos;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger readinessChecks = new AtomicInteger();
  private final AtomicInteger notReadyAfterReady = new AtomicInteger();
  private volatile boolean wasReady;

  private OperatorProcess(
      Process process,
      MemoryCgroup cgroup,
      int httpPort,
      int metricsPort,
      Path log,
      String javaToolOptions,
      long startedNanos) {
    this.process = process;
    this.cgroup = cgroup;
    this.httpPort = httpPort;
    this.metricsPort = metricsPort;
    this.log = log;
    this.javaToolOptions = javaToolOptions;
    this.startedNanos = startedNanos;
    // Readiness as the kubelet would see it (it probes every 5 s): once Ready, any answer but 200
    // counts, so the report can say whether the operator stayed Ready.
    watch.scheduleWithFixedDelay(this::checkReadiness, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Starts the operator in a new cgroup limited to {@code limitBytes}.
   *
   * @param env PGCONN_* settings on top of the chart's (kubeconfig, namespaces, Lease)
   */
  static OperatorProcess start(String name, long limitBytes, Map<String, String> env) {
    MemoryCgroup cgroup = MemoryCgroup.create(name, limitBytes);
    try {
      Path log = Files.createTempFile("pgconn-" + name + "-", ".log");
      int http = freePort();
      int metrics = freePort();
      List<String> java = new ArrayList<>();
      java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      java.addAll(imageJvmFlags());
      java.addAll(List.of("-cp", runtimeClasspath(), MAIN, "run"));
      // The shell joins the cgroup and becomes the JVM (exec): every page the JVM touches,
      // from its first, is charged there.
      String script = "echo $$ > '" + cgroup.procs() + "' && exec " + quote(java);
      ProcessBuilder pb =
          new ProcessBuilder("sh", "-c", script)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().keySet().removeIf(k -> k.startsWith("PGCONN_") || k.startsWith("JAVA_"));
      String options = chartJavaToolOptions();
      pb.environment().put("JAVA_TOOL_OPTIONS", options);
      pb.environment().putAll(imageEnvironment());
      pb.environment().put("MICRONAUT_SERVER_PORT", Integer.toString(http));
      pb.environment().put("PGCONN_METRICS_PORT", Integer.toString(metrics));
      pb.environment().put("PGCONN_LEADER_ELECTION", "true");
      pb.environment().put("PGCONN_RECONCILE_THREADS", chartValue("reconcileThreads"));
      pb.environment().putAll(env);
      long t0 = System.nanoTime();
      Process process = pb.start();
      return new OperatorProcess(process, cgroup, http, metrics, log, options, t0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  String javaToolOptions() {
    return javaToolOptions;
  }

  MemoryCgroup cgroup() {
    return cgroup;
  }

  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  String metricsUrl() {
    return "http://127.0.0.1:" + metricsPort;
  }

  /** ms since the process was started. */
  long elapsedMillis() {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The process's exit code, once it exited. */
  int exitValue() {
    return process.exitValue();
  }

  /** GET /health/readiness answers 200. */
  boolean ready() {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(url() + "/health/readiness"))
                      .timeout(Duration.ofSeconds(3))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void checkReadiness() {
    boolean ready = process.isAlive() && ready();
    if (ready) wasReady = true;
    else if (wasReady) notReadyAfterReady.incrementAndGet();
    readinessChecks.incrementAndGet();
  }

  /** Readiness checks (one a second) that failed after the first success. */
  int notReadyAfterReady() {
    return notReadyAfterReady.get();
  }

  int readinessChecks() {
    return readinessChecks.get();
  }

  /** VmRSS and VmHWM (the peak) of the JVM, in KiB, from /proc/pid/status. */
  long[] rssKib() {
    try {
      List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"));
      return new long[] {field(status, "VmRSS:"), field(status, "VmHWM:")};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long field(List<String> status, String name) {
    return status.stream()
        .filter(l -> l.startsWith(name))
        .map(l -> l.substring(name.length()).trim().split("\\s+")[0])
        .mapToLong(Long::parseLong)
        .findFirst()
        .orElseThrow();
  }

  /** Stops it as the kubelet does: SIGTERM, then SIGKILL after the grace period (30 s). */
  @Override
  public void close() throws Exception {
    watch.shutdownNow();
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    cgroup.close();
  }

  // --- how the image and the chart start it

  private static Path repoRoot() {
    return BuildScripts.toolsDir().getParent();
  }

  /** The jib container's jvmFlags in operator/pom.xml (the image's entrypoint flags). */
  static List<String> imageJvmFlags() throws IOException {
    String pom = Files.readString(repoRoot().resolve("operator/pom.xml"));
    Matcher m = Pattern.compile("<jvmFlag>([^<]+)</jvmFlag>").matcher(pom);
    List<String> flags = new ArrayList<>();
    while (m.find()) flags.add(m.group(1).trim());
    if (flags.isEmpty()) throw new IllegalStateException("no jib jvmFlag in operator/pom.xml");
    return flags;
  }

  /**
   * The jib container's environment in operator/pom.xml but JAVA_TOOL_OPTIONS, which the chart
   * replaces (chartJavaToolOptions): what the image sets for every process it runs.
   */
  static Map<String, String> imageEnvironment() throws IOException {
    String pom = Files.readString(repoRoot().resolve("operator/pom.xml"));
    Matcher block = Pattern.compile("(?s)<environment>(.*?)</environment>").matcher(pom);
    if (!block.find()) throw new IllegalStateException("no jib environment in operator/pom.xml");
    Map<String, String> env = new java.util.LinkedHashMap<>();
    Matcher m = Pattern.compile("<([A-Z_]+)>([^<]*)</\\1>").matcher(block.group(1));
    while (m.find()) {
      if (!m.group(1).equals("JAVA_TOOL_OPTIONS")) env.put(m.group(1), m.group(2).trim());
    }
    return env;
  }

  /**
   * values.yaml's javaToolOptions, as the chart's helper renders them (ExitOnOutOfMemoryError
   * appended unless named); -Dscale.javaToolOptions replaces values.yaml's to try other options.
   */
  static String chartJavaToolOptions() throws IOException {
    String options = System.getProperty("scale.javaToolOptions");
    if (options == null) options = chartValue("javaToolOptions");
    return options.contains("ExitOnOutOfMemoryError")
        ? options
        : (options + " -XX:+ExitOnOutOfMemoryError").trim();
  }

  /** A top-level scalar of values.yaml, unquoted. */
  static String chartValue(String key) throws IOException {
    String values = Files.readString(repoRoot().resolve("helm/pgconn-operator/values.yaml"));
    Matcher m = Pattern.compile("(?m)^" + key + ":\\s*(?:\"([^\"]*)\"|(\\S+))").matcher(values);
    if (!m.find()) throw new IllegalStateException("no " + key + " in values.yaml");
    return m.group(1) != null ? m.group(1) : m.group(2);
  }

  /**
   * The image's classpath: the module's classes and resources, then its runtime dependencies (no
   * test ones), from mvn dependency:build-classpath, computed once per build.
   */
  static String runtimeClasspath() throws IOException {
    Path operator = repoRoot().resolve("operator");
    Path file = operator.resolve("target/runtime.classpath");
    if (!Files.isRegularFile(file)
        || Files.getLastModifiedTime(file)
                .compareTo(Files.getLastModifiedTime(operator.resolve("pom.xml")))
            < 0) {
      Process mvn =
          new ProcessBuilder(
                  "mvn",
                  "-o",
                  "-q",
                  "dependency:build-classpath",
                  "-Dmdep.includeScope=runtime",
                  "-Dmdep.outputFile=" + file)
              .directory(operator.toFile())
              .inheritIO()
              .start();
      try {
        if (!mvn.waitFor(5, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
          throw new IllegalStateException("mvn dependency:build-classpath failed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return operator.resolve("target/classes") + File.pathSeparator + Files.readString(file).trim();
  }

  private static String quote(List<String> words) {
    return String.join(" ", words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
