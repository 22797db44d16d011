package io.pgconn.operator.reconciler;

import static io.pgconn.operator.reconciler.InPlaceFixture.POLICY;
import static io.pgconn.operator.reconciler.InPlaceFixture.SOURCE;
import static io.pgconn.operator.reconciler.InPlaceFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.TestCluster;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * In place mode loses nothing whatever crashes when. The operator (the real application) is killed
 * right after each write of adopting a Secret in place, of giving it back when the policy is
 * deleted, and of giving it back when the policy's target moves to a Secret of its own (see {@link
 * WriteHooks}: the instance stops dead between that write and the next). A fresh instance then
 * takes over, and the source must end exactly as its owner wrote it: every key, byte for byte, with
 * the operator's own output never saved as "the original". Real API server, real PostgreSQL.
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false, postgres = 16, ssl = true)
class InPlaceCrashIT {

  /** What happens while the operator runs; the crash comes after one of its writes. */
  enum Flow {
    /** The policy is created and adopts the source in place. */
    ADOPT,
    /** The in place policy is deleted. */
    DELETE,
    /** The in place policy's target is changed to a Secret of its own. */
    RETARGET
  }

  private final InPlaceFixture fx;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  InPlaceCrashIT(
      TestCluster cluster, LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.fx = new InPlaceFixture(cluster.kubeconfigFile(), postgres, client, k8s);
    this.client = client;
    this.k8s = k8s;
  }

  @BeforeAll
  static void role(LocalPostgres postgres) {
    postgres.createRole(InPlaceFixture.USER, InPlaceFixture.PASSWORD, null);
  }

  /**
   * Every write of each flow, in the order the operator makes it (checked by {@link
   * #theWritesAreTheOnesEnumeratedInThatOrder}); a null step is a crash before the flow's first
   * write (the operator down while it happens). JOSDK's own writes come before (the finalizer) or
   * after (the status, the finalizer's removal) these, so a crash after the last one covers them.
   */
  static Stream<Arguments> crashPoints() {
    return Stream.of(
        arguments(Flow.ADOPT, WriteStep.HASH_KEY_CREATED),
        arguments(Flow.ADOPT, WriteStep.BACKUP_SAVED),
        arguments(Flow.ADOPT, WriteStep.WRITE_RECORDED),
        arguments(Flow.ADOPT, WriteStep.SOURCE_WRITTEN),
        arguments(Flow.DELETE, null),
        arguments(Flow.DELETE, WriteStep.SOURCE_RESTORED),
        arguments(Flow.DELETE, WriteStep.BACKUP_RELEASED),
        arguments(Flow.DELETE, WriteStep.BACKUP_DELETED),
        arguments(Flow.RETARGET, null),
        arguments(Flow.RETARGET, WriteStep.SOURCE_RESTORED),
        arguments(Flow.RETARGET, WriteStep.BACKUP_RELEASED),
        arguments(Flow.RETARGET, WriteStep.BACKUP_DELETED));
  }

  @ParameterizedTest(name = "{0}, crash after {1}")
  @MethodSource("crashPoints")
  void aCrashAfterAnyWriteLosesNothing(Flow flow, WriteStep step) {
    String ns = ("crash-" + flow + "-" + step).toLowerCase().replace('_', '-');
    Map<String, String> original = fx.source(ns, fx.original(InPlaceFixture.PASSWORD));
    WriteHooks hooks = new WriteHooks();
    OperatorApp first = fx.operator(ns, hooks);
    try {
      if (flow == Flow.ADOPT) {
        hooks.crashAfter(ns, POLICY, step);
        k8s.create(fx.policy(ns, spec -> {}));
      } else {
        k8s.create(fx.policy(ns, spec -> {}));
        fx.awaitAdopted(ns);
        if (step == null) {
          first.close();
          first = null;
        } else {
          hooks.crashAfter(ns, POLICY, step);
        }
        if (flow == Flow.DELETE) fx.delete(ns);
        else retarget(ns);
      }
      if (first != null) {
        await().until(() -> hooks.crashed(ns, POLICY));
        List<WriteStep> writes = hooks.writes(ns, POLICY);
        first.close();
        first = null;
        // Nothing after the crash: the instance died at that write.
        assertThat(hooks.writes(ns, POLICY)).isEqualTo(writes).last().isEqualTo(step);
      }
    } finally {
      if (first != null) first.close();
    }
    if (flow == Flow.DELETE) {
      assertThat(k8s.policy(ns, POLICY)).as("held by its finalizer").isNotNull();
    }

    try (OperatorApp fresh = fx.operator(ns, new WriteHooks())) {
      switch (flow) {
        case ADOPT -> {
          fx.awaitAdopted(ns);
          assertBackupHoldsTheOriginal(ns, original);
          fx.delete(ns);
          fx.awaitGone(ns);
        }
        case DELETE -> fx.awaitGone(ns);
        case RETARGET -> {
          await()
              .until(
                  () ->
                      k8s.ready(ns, POLICY)
                          && fx.secret(ns, "app-connection").isPresent()
                          && fx.backup(ns).isEmpty());
          assertThat(fx.data(ns, SOURCE)).isEqualTo(original);
          fx.delete(ns);
          fx.awaitGone(ns);
        }
      }
    }
    assertThat(fx.data(ns, SOURCE)).as("the source, every key byte for byte").isEqualTo(original);
    assertThat(fx.backup(ns)).isEmpty();
  }

  @Test
  void theWritesAreTheOnesEnumeratedInThatOrder() {
    String ns = "write-order";
    Map<String, String> original = fx.source(ns, fx.original(InPlaceFixture.PASSWORD));
    WriteHooks hooks = new WriteHooks();
    try (OperatorApp operator = fx.operator(ns, hooks)) {
      k8s.create(fx.policy(ns, spec -> {}));
      fx.awaitAdopted(ns);
      // Record first, then write: the backup knows the original before the source changes.
      assertThat(hooks.writes(ns, POLICY))
          .containsExactly(
              WriteStep.HASH_KEY_CREATED,
              WriteStep.BACKUP_SAVED,
              WriteStep.WRITE_RECORDED,
              WriteStep.SOURCE_WRITTEN);
      retarget(ns);
      await().until(() -> k8s.ready(ns, POLICY) && fx.backup(ns).isEmpty());
      fx.delete(ns);
      fx.awaitGone(ns);
      assertThat(hooks.writes(ns, POLICY))
          .containsExactly(
              WriteStep.HASH_KEY_CREATED,
              WriteStep.BACKUP_SAVED,
              WriteStep.WRITE_RECORDED,
              WriteStep.SOURCE_WRITTEN,
              WriteStep.SOURCE_RESTORED,
              WriteStep.BACKUP_RELEASED,
              WriteStep.BACKUP_DELETED);
    }
    assertThat(fx.data(ns, SOURCE)).isEqualTo(original);
  }

  /**
   * The target moved away and the policy was deleted while no operator ran (or before it saw the
   * move): the cleanup sees a policy that no longer says "in place", yet its backup still holds the
   * original, which must go back.
   */
  @Test
  void deletingAfterTheTargetMovedAwayWhileTheOperatorWasDownPutsTheOriginalBack() {
    String ns = "moved-then-deleted";
    Map<String, String> original = fx.source(ns, fx.original(InPlaceFixture.PASSWORD));
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      k8s.create(fx.policy(ns, spec -> {}));
      fx.awaitAdopted(ns);
    }
    retarget(ns);
    fx.delete(ns);
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      fx.awaitGone(ns);
    }
    assertThat(fx.data(ns, SOURCE)).isEqualTo(original);
    assertThat(fx.backup(ns)).isEmpty();
  }

  @Test
  void deletingAfterTheTargetMovedAwayPutsTheOriginalBack() {
    String ns = "moved-away";
    Map<String, String> original = fx.source(ns, fx.original(InPlaceFixture.PASSWORD));
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      k8s.create(fx.policy(ns, spec -> {}));
      fx.awaitAdopted(ns);
      retarget(ns);
      await()
          .until(
              () ->
                  k8s.ready(ns, POLICY)
                      && fx.secret(ns, "app-connection").isPresent()
                      && fx.backup(ns).isEmpty());
      assertThat(fx.data(ns, SOURCE)).isEqualTo(original);
      fx.delete(ns);
      fx.awaitGone(ns);
    }
    assertThat(fx.data(ns, SOURCE)).isEqualTo(original);
  }

  /**
   * The backup remembers each written key's value before the operator first wrote it, or that the
   * key was absent; never a value the operator rendered. A crash is no revert by another writer.
   */
  private void assertBackupHoldsTheOriginal(String ns, Map<String, String> original) {
    Secret backup = fx.backup(ns).orElseThrow();
    Set<String> written = new TreeSet<>(fx.data(ns, SOURCE).keySet());
    written.remove("UNRELATED");
    Map<String, String> before = new TreeMap<>(original);
    before.keySet().retainAll(written);
    Set<String> added = new TreeSet<>(written);
    added.removeAll(original.keySet());
    assertThat(before).containsOnlyKeys("DATABASE_URL", "DIRECT_URL", "JDBC_URL");
    assertThat(added).contains("PGX_URL", "SPRING_DATASOURCE_URL");
    assertThat(backup.getData()).isEqualTo(before);
    // Held until the original is back, whatever deletes it first.
    assertThat(backup.getMetadata().getFinalizers()).containsExactly(InPlaceBackupFormat.FINALIZER);
    assertThat(backup.getMetadata().getAnnotations())
        .containsEntry(InPlaceBackupFormat.ABSENT_KEYS, String.join(",", added))
        .containsEntry(InPlaceBackupFormat.REVERTS, "0");
  }

  private void retarget(String ns) {
    // A merge patch, as kubectl apply would send: no resourceVersion to conflict with status.
    client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(ns)
        .withName(POLICY)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"target\":{\"secretName\":\"app-connection\"}}}");
  }
}
