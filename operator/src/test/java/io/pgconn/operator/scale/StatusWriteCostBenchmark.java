package io.pgconn.operator.scale;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.testenv.ClusterFixtures;
import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.Policies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one status write costs the API server, and which part of the CRD the cost comes from. The
 * operator writes a policy's status (3 KB) once per policy while 1,000 converge; on this machine
 * that is about half of kube-apiserver's CPU in the convergence. The status the operator wrote for
 * a real Ready policy is server-side applied to 200 objects of copies of the CRD under other
 * groups, four rounds each, one client, one request at a time; kube-apiserver's and etcd's CPU come
 * from {@code /proc/<pid>/stat}. Variants: the CRD as shipped; without its CEL rules; without its
 * {@code pattern}s; with no schema at all (preserve unknown fields); the CRD as shipped with the
 * status trimmed of its checklist and server sections; and, for scale, a Secret's apply. Not part
 * of any build:
 *
 * <pre>
 * mvn -o -pl operator test-compile failsafe:integration-test failsafe:verify \
 *     -Dit.test=StatusWriteCostBenchmark
 * </pre>
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, postgres = 16, namespaces = "cost")
class StatusWriteCostBenchmark {

  static final String NS = "cost";
  static final int OBJECTS = 200;
  static final int ROUNDS = 4;
  static final PatchContext APPLY =
      new PatchContext.Builder()
          .withPatchType(PatchType.SERVER_SIDE_APPLY)
          .withFieldManager("cost-benchmark")
          .withForce(true)
          .build();

  /** One kind of write, made to object i of its own. */
  private record Variant(String name, java.util.function.IntConsumer write) {}

  /** Numbers every write, so that each one really changes its object. */
  private int seq;

  private final KubernetesClient client;
  private final KubernetesSerialization json;
  private final LocalPostgres postgres;
  private final ClusterFixtures k8s;

  StatusWriteCostBenchmark(KubernetesClient client, LocalPostgres postgres, ClusterFixtures k8s) {
    this.client = client;
    this.json = client.getKubernetesSerialization();
    this.postgres = postgres;
    this.k8s = k8s;
  }

  @Test
  void statusWriteCost() {
    postgres.createRole("app", "pw-app", null);
    k8s.secret(NS, "src", Map.of("DATABASE_URL", postgres.url("app", "pw-app", "postgres")));
    k8s.create(Policies.policy(NS, "p", "src", spec -> spec.getPool().setSslMode("disable")));
    k8s.awaitReady(NS, "p");
    PostgresConnectionPolicy ready =
        client.resources(PostgresConnectionPolicy.class).inNamespace(NS).withName("p").get();
    String status = json.asJson(ready.getStatus());
    String trimmed = trimmed(status);

    Map<String, Object> spec = json.unmarshal(json.asJson(ready.getSpec()), Map.class);
    List<Variant> variants =
        List.of(
            statusVariant("as shipped", copyCrd("shipped", crd -> {}), status, spec),
            statusVariant(
                "without CEL rules",
                copyCrd("nocel", crd -> strip(crd, "x-kubernetes-validations")),
                status,
                spec),
            statusVariant(
                "without patterns",
                copyCrd("nopattern", crd -> strip(crd, "pattern")),
                status,
                spec),
            statusVariant(
                "no schema (preserve unknown fields)",
                copyCrd("open", StatusWriteCostBenchmark::open),
                status,
                spec),
            statusVariant(
                "as shipped, status without checks and server (" + trimmed.length() + " bytes)",
                copyCrd("trimmed", crd -> {}),
                trimmed,
                spec),
            secretVariant());

    long api = ProcessCpu.pidOf("kube-apiserver");
    long etcd = ProcessCpu.pidOf("etcd");
    Map<String, long[]> totals = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (Variant variant : variants) {
        long[] t = totals.computeIfAbsent(variant.name(), k -> new long[3]);
        long api0 = ProcessCpu.ticks(api);
        long etcd0 = ProcessCpu.ticks(etcd);
        long t0 = System.nanoTime();
        for (int i = 0; i < OBJECTS; i++) variant.write().accept(i);
        t[0] += ProcessCpu.ticks(api) - api0;
        t[1] += ProcessCpu.ticks(etcd) - etcd0;
        t[2] += System.nanoTime() - t0;
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(
        "status write cost ("
            + status.length()
            + " bytes of status, "
            + OBJECTS * ROUNDS
            + " server-side applies each, one client):");
    totals.forEach(
        (name, t) ->
            lines.add(
                String.format(
                    "  %s: kube-apiserver %.1f ms CPU per write, etcd %.1f ms, wall %.1f ms",
                    name,
                    t[0] * 10.0 / (OBJECTS * ROUNDS),
                    t[1] * 10.0 / (OBJECTS * ROUNDS),
                    t[2] / 1e6 / (OBJECTS * ROUNDS))));
    lines.forEach(System.out::println);
  }

  /** Status writes to objects of their own under a copy of the CRD, made here. */
  private Variant statusVariant(
      String name, String group, String status, Map<String, Object> spec) {
    createObjects(group, spec);
    return new Variant(
        name,
        i ->
            applyStatus(
                group,
                "o" + i,
                // Changes one condition's message, so that every write really changes the object.
                status.replaceFirst("\"message\":\"", "\"message\":\"v" + ++seq + " ")));
  }

  /** Secret applies, for scale, to Secrets of their own, made here. */
  private Variant secretVariant() {
    for (int i = 0; i < OBJECTS; i++) k8s.secret(NS, "s" + i, Map.of("DATABASE_URL", "x"));
    return new Variant("a Secret (for scale)", i -> applySecret("s" + i, ++seq));
  }

  private String trimmed(String status) {
    Map<String, Object> tree = json.unmarshal(status, Map.class);
    tree.remove("checks");
    tree.remove("server");
    return json.asJson(tree);
  }

  private void applyStatus(String group, String name, String status) {
    client
        .genericKubernetesResources(context(group))
        .inNamespace(NS)
        .withName(name)
        .subresource("status")
        .patch(
            APPLY,
            "{\"apiVersion\":\""
                + group
                + "/"
                + version()
                + "\",\"kind\":\"PostgresConnectionPolicy\",\"metadata\":{\"name\":\""
                + name
                + "\",\"namespace\":\""
                + NS
                + "\"},\"status\":"
                + status
                + "}");
  }

  private void applySecret(String name, int seq) {
    client
        .secrets()
        .inNamespace(NS)
        .withName(name)
        .patch(
            APPLY,
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\""
                + name
                + "\",\"namespace\":\""
                + NS
                + "\"},\"stringData\":{\"DATABASE_URL\":\"postgresql://app:pw@h/db?v="
                + seq
                + "\"}}");
  }

  private void createObjects(String group, Map<String, Object> spec) {
    for (int i = 0; i < OBJECTS; i++) {
      GenericKubernetesResource object = new GenericKubernetesResource();
      object.setApiVersion(group + "/" + version());
      object.setKind("PostgresConnectionPolicy");
      object.setMetadata(new ObjectMetaBuilder().withName("o" + i).withNamespace(NS).build());
      object.setAdditionalProperty("spec", spec);
      client.genericKubernetesResources(context(group)).inNamespace(NS).resource(object).create();
    }
  }

  /** The shipped CRD under {@code <prefix>.bench.pgconn.io}, changed by {@code change}. */
  private String copyCrd(
      String prefix, java.util.function.Consumer<CustomResourceDefinition> change) {
    String group = prefix + ".bench.pgconn.io";
    CustomResourceDefinition crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("postgresconnectionpolicies.pgconn.io")
            .get();
    crd.setMetadata(
        new ObjectMetaBuilder().withName("postgresconnectionpolicies." + group).build());
    crd.getSpec().setGroup(group);
    crd.setStatus(null);
    change.accept(crd);
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    ClusterFixtures.awaitEstablished(client, crd.getMetadata().getName());
    return group;
  }

  /** Removes every {@code key} from the CRD's schemas. */
  private void strip(CustomResourceDefinition crd, String key) {
    crd.getSpec()
        .getVersions()
        .forEach(
            v -> {
              Map<String, Object> tree =
                  json.unmarshal(json.asJson(v.getSchema().getOpenAPIV3Schema()), Map.class);
              removeEverywhere(tree, key);
              v.getSchema()
                  .setOpenAPIV3Schema(json.unmarshal(json.asJson(tree), JSONSchemaProps.class));
            });
  }

  private static void removeEverywhere(Object node, String key) {
    if (node instanceof Map<?, ?> map) {
      map.remove(key);
      map.values().forEach(child -> removeEverywhere(child, key));
    } else if (node instanceof List<?> list) {
      list.forEach(child -> removeEverywhere(child, key));
    }
  }

  private static void open(CustomResourceDefinition crd) {
    JSONSchemaProps schema = new JSONSchemaProps();
    schema.setType("object");
    schema.setXKubernetesPreserveUnknownFields(true);
    crd.getSpec()
        .getVersions()
        .forEach(
            v -> {
              v.getSchema().setOpenAPIV3Schema(schema);
              v.setAdditionalPrinterColumns(null);
            });
  }

  private static String version() {
    return io.fabric8.kubernetes.api.model.HasMetadata.getVersion(PostgresConnectionPolicy.class);
  }

  private static ResourceDefinitionContext context(String group) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version())
        .withPlural("postgresconnectionpolicies")
        .withKind("PostgresConnectionPolicy")
        .withNamespaced(true)
        .build();
  }
}
