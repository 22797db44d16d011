package io.pgconn.operator.reconciler;

import static io.pgconn.operator.reconciler.InPlaceFixture.POLICY;
import static io.pgconn.operator.reconciler.InPlaceFixture.SOURCE;
import static io.pgconn.operator.reconciler.InPlaceFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.TestCluster;
import io.pgconn.operator.url.ConnectionStringParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What in place mode writes into someone else's Secret, and what it gives back: every key it writes
 * is backed up with the value it had (or its absence) and put back exactly, keys it does not write
 * are never touched, and a password rotated by someone else, even between the operator's read and
 * its write, is never overwritten with content built from the old one: it becomes the new original,
 * for every key it changed. Real API server, real PostgreSQL, the real application.
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false, postgres = 16, ssl = true)
class InPlaceContentIT {

  static final String OLD = "Rotation-Old-pw1";
  static final String NEW = "Rotation-New-pw2";

  private final InPlaceFixture fx;
  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  InPlaceContentIT(
      TestCluster cluster, LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.fx = new InPlaceFixture(cluster.kubeconfigFile(), postgres, client, k8s);
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
  }

  @Test
  void adoptThenDeleteGivesBackExactlyTheOriginalEveryKey() {
    String ns = "all-keys";
    String user = "all_keys";
    postgres.createRole(user, OLD, null);
    Map<String, String> original = fx.source(ns, fx.original(user, OLD));
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      // The direct URL is read from the same Secret, as Prisma setups keep it.
      k8s.create(
          fx.policy(
              ns,
              spec -> spec.getSource().setDirectSecretRef(new SecretKeyRef(SOURCE, "DIRECT_URL"))));
      fx.awaitAdopted(ns);
      Map<String, String> rewritten = fx.data(ns, SOURCE);
      // Overwritten: the pooled and direct URLs and a key that had a value of its own.
      for (String key : List.of("DATABASE_URL", "DIRECT_URL", "JDBC_URL")) {
        assertThat(rewritten.get(key)).as(key).isNotEqualTo(original.get(key));
      }
      assertThat(decoded(rewritten, "DIRECT_URL")).contains("connect_timeout=10");
      // Added: PGX_URL and the Spring keys of the jdbc output. Untouched: UNRELATED.
      assertThat(rewritten).containsKeys("PGX_URL", "SPRING_DATASOURCE_URL");
      assertThat(rewritten.get("UNRELATED")).isEqualTo(original.get("UNRELATED"));

      // Settled: further reconciles (a touch of an unrelated key) change nothing it wrote.
      touch(ns);
      await().until(() -> k8s.ready(ns, POLICY));
      assertThat(withoutTouch(fx.data(ns, SOURCE))).isEqualTo(rewritten);

      fx.delete(ns);
      fx.awaitGone(ns);
    }
    assertThat(withoutTouch(fx.data(ns, SOURCE))).isEqualTo(original);
  }

  /**
   * Someone else changes one written key (the direct URL gets a new host, say) and leaves the rest
   * as the operator wrote it. That value is the direct URL's original from now on; the pooled URL
   * the operator wrote is still not an original, and deleting the policy gives back the pooled URL
   * its owner wrote and the direct URL the other writer wrote.
   */
  @Test
  void anotherWritersChangeToOneWrittenKeyBecomesThatKeysOriginal() {
    String ns = "one-key";
    String user = "one_key";
    postgres.createRole(user, OLD, null);
    Map<String, String> original = fx.source(ns, fx.original(user, OLD));
    String otherDirect = postgres.url(user, OLD, "postgres") + "?connect_timeout=7";
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      k8s.create(fx.policy(ns, spec -> {}));
      fx.awaitAdopted(ns);
      String pooled = k8s.secretValue(ns, SOURCE, "DATABASE_URL").orElseThrow();
      client
          .secrets()
          .inNamespace(ns)
          .withName(SOURCE)
          .edit(
              s -> {
                s.getData().put("DIRECT_URL", encoded(otherDirect));
                return s;
              });
      // The operator rewrites the direct URL from its own base and leaves the pooled one alone.
      await()
          .until(
              () ->
                  k8s.secretValue(ns, SOURCE, "DIRECT_URL")
                      .filter(v -> v.contains("connect_timeout=10"))
                      .isPresent());
      assertThat(k8s.secretValue(ns, SOURCE, "DATABASE_URL")).contains(pooled);
      fx.delete(ns);
      fx.awaitGone(ns);
    }
    Map<String, String> expected = new TreeMap<>(original);
    expected.put("DIRECT_URL", encoded(otherDirect));
    assertThat(fx.data(ns, SOURCE)).isEqualTo(expected);
  }

  /**
   * An output removed from the policy: the key it wrote goes back to the value it had (or away, if
   * the source did not have it) at once, not only when the policy is deleted.
   */
  @Test
  void anOutputRemovedGivesItsKeyBack() {
    String ns = "output-removed";
    String user = "output_removed";
    postgres.createRole(user, OLD, null);
    Map<String, String> original = fx.source(ns, fx.original(user, OLD));
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      k8s.create(fx.policy(ns, spec -> {}));
      fx.awaitAdopted(ns);
      // A merge patch, as kubectl apply would send: no resourceVersion to conflict with status.
      client
          .resources(PostgresConnectionPolicy.class)
          .inNamespace(ns)
          .withName(POLICY)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"target\":{\"outputs\":["
                  + "{\"key\":\"DATABASE_URL\",\"format\":\"prisma\"},"
                  + "{\"key\":\"DIRECT_URL\",\"format\":\"libpq\",\"pooled\":false}]}}}");
      await()
          .until(
              () ->
                  k8s.ready(ns, POLICY)
                      && !fx.data(ns, SOURCE).containsKey("PGX_URL")
                      && !fx.data(ns, SOURCE).containsKey("SPRING_DATASOURCE_URL"));
      assertThat(fx.data(ns, SOURCE).get("JDBC_URL"))
          .as("JDBC_URL as its owner wrote it")
          .isEqualTo(original.get("JDBC_URL"));
      fx.delete(ns);
      fx.awaitGone(ns);
    }
    assertThat(fx.data(ns, SOURCE)).isEqualTo(original);
  }

  /**
   * The longest policy name the operator accepts (242 characters: its derived Secret names stay
   * within 253) works end to end: the labels on its Secrets hold a shortened name (label values
   * hold 63 characters), and its default application_name is written as PostgreSQL keeps it.
   */
  @Test
  void theLongestPolicyNameWorksAndItsApplicationNameIsCutAsTheServerCutsIt() throws Exception {
    String ns = "long-name";
    String user = "long_name";
    postgres.createRole(user, OLD, null);
    String name = ("x".repeat(60) + ".").repeat(3) + "y".repeat(59);
    assertThat(name).hasSize(242);
    Map<String, String> original = fx.source(ns, fx.original(user, OLD));
    try (OperatorApp operator = fx.operator(ns, new WriteHooks())) {
      PostgresConnectionPolicy policy = fx.policy(ns, spec -> {});
      policy.getMetadata().setName(name);
      k8s.create(policy);
      await()
          .until(
              () ->
                  k8s.ready(ns, name)
                      && k8s.secretValue(ns, SOURCE, "DATABASE_URL")
                          .filter(v -> v.contains("connection_limit=4"))
                          .isPresent());
      String url = k8s.secretValue(ns, SOURCE, "DATABASE_URL").orElseThrow();
      assertThat(ConnectionStringParser.parse(url).parameters().get("application_name"))
          .isEqualTo(name.substring(0, 63));
      Secret backup = fx.secret(ns, name + "-original").orElseThrow();
      assertThat(backup.getMetadata().getLabels().get(ManagedSecrets.POLICY_LABEL))
          .hasSizeLessThanOrEqualTo(63)
          .startsWith("xxxxx");
      client.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName(name).delete();
      await().until(() -> k8s.policy(ns, name) == null);
    }
    assertThat(fx.data(ns, SOURCE)).isEqualTo(original);
  }

  /**
   * The password is rotated (the role's password changed, then every URL in the Secret rewritten,
   * as a secrets syncer does) exactly between the operator's read of the source and its write: the
   * rotation runs on the operator's own reconcile thread right after the named write, before the
   * next one. The operator's write, built from the old password, must be refused (it is made with
   * the resourceVersion it read); the operator then converges to content built from the new
   * password, and deleting the policy gives back the rotated Secret, every key.
   */
  @ParameterizedTest(name = "rotated right after {0}")
  @EnumSource(
      value = WriteStep.class,
      names = {"BACKUP_SAVED", "WRITE_RECORDED"})
  void aPasswordRotatedBetweenTheReadAndTheWriteIsNeverOverwritten(WriteStep when) {
    String ns = "rotate-" + when.name().toLowerCase().replace('_', '-');
    String user = "rotate_" + when.name().toLowerCase();
    postgres.createRole(user, OLD, null);
    Map<String, String> before = fx.source(ns, fx.original(user, OLD));
    Map<String, String> rotatedValues = fx.original(user, NEW);
    List<Map<String, String>> versions = new ArrayList<>();
    WriteHooks hooks = new WriteHooks();
    hooks.after(
        ns,
        POLICY,
        when,
        () -> {
          postgres.execute("ALTER ROLE " + user + " PASSWORD " + LocalPostgres.quoteLiteral(NEW));
          k8s.replaceSecret(ns, SOURCE, rotatedValues);
        });
    try (Watch watch = watchData(ns, versions);
        OperatorApp operator = fx.operator(ns, hooks)) {
      k8s.create(fx.policy(ns, spec -> {}));
      // Converged on the new password, or (the failure this test exists for) overwritten with
      // content built from the old one after the rotation, which never converges.
      await()
          .until(
              () ->
                  overwrittenAfterRotation(versions)
                      || (k8s.ready(ns, POLICY)
                          && fx.rewritten(ns)
                          && k8s.secretValue(ns, SOURCE, "DATABASE_URL")
                              .filter(v -> v.contains(NEW))
                              .isPresent()));
      // Every version the source ever had: the original, the rotation, then content built from
      // the new password only. Never anything the operator built from the old one.
      synchronized (versions) {
        assertThat(versions.get(0)).isEqualTo(before);
        for (Map<String, String> version : versions.subList(1, versions.size())) {
          assertThat(version.values())
              .as("a version of the source after the rotation")
              .allSatisfy(v -> assertThat(decode(v)).doesNotContain(OLD));
        }
      }
      assertThat(hooks.writes(ns, POLICY)).contains(WriteStep.SOURCE_WRITTEN);
      Map<String, String> adopted = fx.data(ns, SOURCE);
      for (String key : List.of("DATABASE_URL", "DIRECT_URL", "JDBC_URL", "PGX_URL")) {
        assertThat(decoded(adopted, key)).as(key).contains(NEW).doesNotContain(OLD);
      }
      fx.delete(ns);
      fx.awaitGone(ns);
    }
    Map<String, String> rotated = new TreeMap<>();
    rotatedValues.forEach((k, v) -> rotated.put(k, encoded(v)));
    assertThat(fx.data(ns, SOURCE)).as("the rotated Secret, every key").isEqualTo(rotated);
  }

  // ---------------------------------------------------------------------------------------------

  /** Every version of the source's data, from the one the watch starts at, in order. */
  private Watch watchData(String ns, List<Map<String, String>> versions) {
    return client
        .secrets()
        .inNamespace(ns)
        .withName(SOURCE)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Secret secret) {
                synchronized (versions) {
                  Map<String, String> data =
                      secret.getData() == null ? Map.of() : new TreeMap<>(secret.getData());
                  if (versions.isEmpty() || !versions.get(versions.size() - 1).equals(data)) {
                    versions.add(data);
                  }
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  /** Whether a version after the first holds the old password anywhere. */
  private static boolean overwrittenAfterRotation(List<Map<String, String>> versions) {
    synchronized (versions) {
      return versions.stream()
          .skip(1)
          .anyMatch(v -> v.values().stream().anyMatch(x -> decode(x).contains(OLD)));
    }
  }

  private void touch(String ns) {
    k8s.touchSecret(ns, SOURCE);
  }

  private static Map<String, String> withoutTouch(Map<String, String> data) {
    Map<String, String> copy = new TreeMap<>(data);
    copy.remove("TOUCHED");
    return copy;
  }

  private static String decoded(Map<String, String> data, String key) {
    return decode(data.get(key));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static String encoded(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
