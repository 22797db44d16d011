package io.pgconn.operator.testenv;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A test JVM killed with its node running (kill -9, a cancelled CI job, a session that ends
 * mid-suite) runs no teardown: the control plane, containerd, the kubelet and a pod outlive it,
 * with their mounts, network namespaces, cgroups and CNI results. The next node to start removes
 * all of it ({@link AbandonedNodes#sweep}), and leaves alone a node whose JVM still runs and a
 * directory kept for its logs.
 */
@Tag("real-node")
class AbandonedNodeIT {

  @Test
  void aNodeWhoseJvmWasKilledIsRemovedByTheNextSweep() throws Exception {
    Path scratch = Files.createTempDirectory("pgconn-abandoned-");
    Path childLog = scratch.resolve("child.log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Child.class.getName())
            .redirectError(childLog.toFile())
            .start();
    Path dir;
    try {
      dir = awaitReady(child, childLog);
    } catch (RuntimeException | Error e) {
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      AbandonedNodes.sweep();
      throw e;
    }
    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child JVM exits on SIGKILL");

    // What the kill left: without the sweep, all of this stays on the machine.
    AbandonedNodes.Owner owner = AbandonedNodes.owner(dir).orElseThrow();
    assertFalse(owner.alive(), "the owner is gone");
    List<String> ids = NodeCleanup.containerIds(dir);
    List<String> podNetns = NodeCleanup.podNetnsOf(dir);
    assertFalse(ids.isEmpty(), "containers ran");
    assertEquals(1, podNetns.size(), "one pod network namespace: " + podNetns);
    assertTrue(NodeCleanup.netnsNames().containsAll(podNetns), "pod namespace left");
    assertTrue(NodeCleanup.netnsNames().contains(owner.netns()), "node namespace left");
    assertFalse(mountsUnder(dir).isEmpty(), "mounts left under " + dir);
    assertFalse(processesNaming(dir).isEmpty(), "orphans left that name " + dir);
    assertFalse(cniResultsOf(ids).isEmpty(), "CNI results left for " + ids);

    // A live node (this JVM's claim) and a directory kept for its logs are not the sweep's.
    Path live = Files.createTempDirectory(AbandonedNodes.TMP, AbandonedNodes.PREFIX);
    Path kept = Files.createTempDirectory(AbandonedNodes.TMP, AbandonedNodes.PREFIX);
    try {
      AbandonedNodes.claim(live, "pgconn-node-not-created");
      Files.createDirectories(kept.resolve("logs"));

      assertEquals(List.of(dir), AbandonedNodes.sweep());

      assertTrue(Files.exists(live.resolve("owner")), "a live node's claim stays");
      assertTrue(Files.exists(kept.resolve("logs")), "kept logs stay");
    } finally {
      AbandonedNodes.release(live);
      NodeCleanup.deleteDirectory(live, null);
      NodeCleanup.deleteDirectory(kept, null);
    }
    assertFalse(Files.exists(dir), dir + " left behind");
    assertEquals(List.of(), mountsUnder(dir), "mounts under " + dir);
    assertEquals(List.of(), processesNaming(dir), "processes that name " + dir);
    assertFalse(NodeCleanup.netnsNames().contains(owner.netns()), "node namespace");
    assertTrue(podNetns.stream().noneMatch(NodeCleanup.netnsNames()::contains), "pod namespace");
    assertEquals(List.of(), cniResultsOf(ids), "CNI results");
    try (var cgroups = Files.walk(Path.of("/sys/fs/cgroup"), 4)) {
      assertEquals(
          List.of(),
          cgroups.filter(p -> ids.contains(p.getFileName().toString())).toList(),
          "container cgroups");
    }
    NodeCleanup.deleteDirectory(scratch, null);
  }

  /** Reads the child's output until it names its node's directory, Ready with a pod running. */
  private static Path awaitReady(Process child, Path childLog) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> readyLine(out));
    try {
      return Path.of(line.get(180, TimeUnit.SECONDS).substring("READY ".length()));
    } catch (Exception e) {
      throw new AssertionError(
          "the child's node was not Ready with a pod within 180 s:\n" + Files.readString(childLog),
          e);
    }
  }

  private static String readyLine(BufferedReader out) {
    try {
      for (String l = out.readLine(); l != null; l = out.readLine()) {
        if (l.startsWith("READY ")) return l;
      }
      throw new IllegalStateException("the child exited before its node was Ready");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> mountsUnder(Path dir) {
    return NodeCleanup.mountPoints().stream().filter(m -> m.startsWith(dir + "/")).toList();
  }

  private static List<Long> processesNaming(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(dir + "/"))
        .map(ProcessHandle::pid)
        .toList();
  }

  static List<Path> cniResultsOf(List<String> ids) throws IOException {
    Path results = Path.of("/var/lib/cni/results");
    if (!Files.isDirectory(results)) return List.of();
    try (var files = Files.list(results)) {
      return files
          .filter(f -> ids.stream().anyMatch(id -> f.getFileName().toString().contains(id)))
          .toList();
    }
  }

  /** Pod {@code name} with the pause image, awaited Ready. */
  static Pod runPausePod(KubernetesClient client, String name) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("default")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("pause")
            .withImage(RealNode.PAUSE_IMAGE)
            .withImagePullPolicy("Never")
            .endContainer()
            .endSpec()
            .build();
    client.resource(pod).create();
    await("pod " + name + " Ready")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Pod p = client.pods().inNamespace("default").withName(name).get();
              return p != null
                  && p.getStatus() != null
                  && p.getStatus().getConditions().stream()
                      .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            });
    return client.pods().inNamespace("default").withName(name).get();
  }

  /**
   * The JVM the test kills: starts a node, runs a pod, prints {@code READY <dir>} and waits to be
   * killed.
   */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      RealNode node = RealNode.start(Map.of());
      try (KubernetesClient client = node.newClient()) {
        runPausePod(client, "sleeper");
      }
      System.out.println("READY " + node.logDir().getParent());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
