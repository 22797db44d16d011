package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.OutputFormatName;
import io.pgconn.operator.api.OutputSpec;
import io.pgconn.operator.api.PolicySpec;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorApp;
import io.pgconn.operator.testenv.Policies;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;

/**
 * What the in place tests share: a source Secret the way apps keep one (the pooled and the direct
 * URL, a key an output overwrites that had a value of its own, a key nobody writes), and a policy
 * that rewrites it in place with four outputs, one of them a key the source did not have.
 */
final class InPlaceFixture {

  static final String USER = "inplace_app";
  static final String PASSWORD = "InPlace-Canary-pw1";
  static final String SOURCE = "db";
  static final String POLICY = "app";

  /** Outputs that overwrite keys the source has, and one (PGX_URL) it does not have. */
  static final List<OutputSpec> OUTPUTS =
      List.of(
          new OutputSpec("DATABASE_URL", OutputFormatName.prisma, true),
          new OutputSpec("DIRECT_URL", OutputFormatName.libpq, false),
          new OutputSpec("JDBC_URL", OutputFormatName.jdbc, true),
          new OutputSpec("PGX_URL", OutputFormatName.pgx, true));

  /**
   * The usual deadline. Awaitility fails a wait when any thread dies of an uncaught exception; here
   * the operator's reconcile thread dies on purpose ({@link WriteHooks#crashAfter}).
   */
  static ConditionFactory await() {
    return ClusterFixtures.await().dontCatchUncaughtExceptions();
  }

  private final Path kubeconfig;
  private final LocalPostgres postgres;
  private final KubernetesClient client;
  private final ClusterFixtures k8s;

  InPlaceFixture(
      Path kubeconfig, LocalPostgres postgres, KubernetesClient client, ClusterFixtures k8s) {
    this.kubeconfig = kubeconfig;
    this.postgres = postgres;
    this.client = client;
    this.k8s = k8s;
  }

  /** The source as its owner wrote it. */
  Map<String, String> original(String password) {
    return original(USER, password);
  }

  /** The source as its owner wrote it, for this role. */
  Map<String, String> original(String user, String password) {
    String url = postgres.url(user, password, "postgres");
    return Map.of(
        "DATABASE_URL",
        url,
        "DIRECT_URL",
        url + "?connect_timeout=3",
        "JDBC_URL",
        "jdbc:postgresql://legacy-host:5432/postgres?user=legacy",
        "UNRELATED",
        "not the operator's business\n");
  }

  /** Creates the namespace and the source; returns the source's data exactly as stored. */
  Map<String, String> source(String ns, Map<String, String> values) {
    k8s.namespace(ns);
    k8s.secret(ns, SOURCE, values);
    return data(ns, SOURCE);
  }

  /** The in place policy: target = the source, a fixed pool of 4 (sizing is not the subject). */
  PostgresConnectionPolicy policy(String ns, Consumer<PolicySpec> more) {
    return Policies.policy(
        ns,
        POLICY,
        SOURCE,
        spec -> {
          spec.getTarget().setSecretName(SOURCE);
          spec.getTarget().setOutputs(OUTPUTS);
          spec.getPool().setConnectionLimit(4);
          more.accept(spec);
        });
  }

  /** A fresh operator instance watching only {@code ns}, with {@code hooks} observing it. */
  OperatorApp operator(String ns, WriteHooks hooks) {
    return OperatorApp.start(kubeconfig, Map.of("pgconn.namespaces", List.of(ns)), hooks);
  }

  /** A Secret's data exactly as the API server holds it (base64 values), empty when it is gone. */
  Map<String, String> data(String ns, String name) {
    Secret secret = client.secrets().inNamespace(ns).withName(name).get();
    return secret == null || secret.getData() == null ? Map.of() : new TreeMap<>(secret.getData());
  }

  /** A dependent of the policy: see {@link ClusterFixtures#dependent}. */
  void dependent(String ns) {
    k8s.dependent(ns, POLICY);
  }

  boolean dependentGone(String ns) {
    return k8s.dependentGone(ns, POLICY);
  }

  Optional<Secret> secret(String ns, String name) {
    return Optional.ofNullable(client.secrets().inNamespace(ns).withName(name).get());
  }

  /** Whether the source holds the operator's content: every output rendered with the pool. */
  boolean rewritten(String ns) {
    return k8s.secretValue(ns, SOURCE, "DATABASE_URL")
            .filter(v -> v.contains("connection_limit=4"))
            .isPresent()
        && k8s.secretValue(ns, SOURCE, "PGX_URL").isPresent();
  }

  void awaitAdopted(String ns) {
    await().until(() -> k8s.ready(ns, POLICY) && rewritten(ns));
  }

  void delete(String ns) {
    client.resources(PostgresConnectionPolicy.class).inNamespace(ns).withName(POLICY).delete();
  }

  void awaitGone(String ns) {
    await().until(() -> k8s.policy(ns, POLICY) == null);
  }

  Optional<Secret> backup(String ns) {
    return secret(ns, POLICY + "-original");
  }
}
