package io.pgconn.operator.testenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real node itself: it starts, runs a pod on the CNI bridge with the locally built pause image,
 * and its teardown leaves no process, mount, network namespace or directory behind.
 */
@Tag("real-node")
class RealNodeIT {

  @Test
  void runsAPodAndLeavesNothingBehind() throws IOException {
    long t0 = System.nanoTime();
    RealNode node = RealNode.start(Map.of());
    Path dir = node.logDir().getParent();
    String netns;
    try (KubernetesClient client = node.newClient()) {
      Pod running = AbandonedNodeIT.runPausePod(client, "sleeper");
      assertEquals(RealNode.NODE_NAME, running.getSpec().getNodeName());
      assertTrue(
          running.getStatus().getPodIP().startsWith("10.244.0."),
          "pod IP from the CNI bridge: " + running.getStatus().getPodIP());
      assertEquals(RealNode.NODE_IP, running.getStatus().getHostIP());
      netns = "pgconn-node-" + ProcessHandle.current().pid();
    } catch (RuntimeException | Error e) {
      System.err.println(node.logTails());
      node.close();
      throw e;
    }
    System.err.printf(
        "RealNodeIT: node up and pod Ready in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    List<String> ids = NodeCleanup.containerIds(dir);
    assertFalse(ids.isEmpty(), "containers ran");
    node.close();

    assertEquals(List.of(), AbandonedNodeIT.cniResultsOf(ids), "CNI results left");

    assertFalse(Files.exists(dir), dir + " left behind");
    assertTrue(
        NodeCleanup.mountPoints().stream().noneMatch(m -> m.startsWith(dir.toString())),
        "mounts left under " + dir);
    assertTrue(
        NodeCleanup.netnsNames().stream().noneMatch(n -> n.startsWith(netns)),
        "network namespace left: " + NodeCleanup.netnsNames());
    assertTrue(
        ProcessHandle.allProcesses()
            .noneMatch(p -> p.info().commandLine().orElse("").contains(dir.toString())),
        "processes left that name " + dir);
  }
}
