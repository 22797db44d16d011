package io.pgconn.operator.testenv;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.PolicyStatus;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Small helpers to set up and read cluster state in tests, as a user would with kubectl. */
public final class ClusterFixtures {

  private final KubernetesClient client;

  public ClusterFixtures(KubernetesClient client) {
    this.client = client;
  }

  public static ConditionFactory await() {
    return Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200));
  }

  /** Applies the CRD the build generated and waits until the API server serves it. */
  public void installCrd() {
    Path crd =
        Path.of(
            System.getProperty("pgconn.crds.generated", "target/classes/META-INF/fabric8"),
            "postgresconnectionpolicies.pgconn.io-v1.yml");
    try (InputStream in = Files.newInputStream(crd)) {
      CustomResourceDefinition definition =
          client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(definition)
          .forceConflicts()
          .serverSideApply();
      awaitEstablished(client, definition.getMetadata().getName());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the API server serves the CRD of that name (its Established condition). */
  public static void awaitEstablished(KubernetesClient client, String crdName) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crdName)
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30,
            TimeUnit.SECONDS);
  }

  public void namespace(String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
  }

  public Secret secret(String namespace, String name, Map<String, String> values) {
    return client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withStringData(values)
                .build())
        .createOr(r -> r.update());
  }

  /** Replaces a Secret's whole content, as kubectl apply or a rotation would. */
  public void replaceSecret(String namespace, String name, Map<String, String> values) {
    client
        .secrets()
        .inNamespace(namespace)
        .withName(name)
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(values);
              return s;
            });
  }

  public Deployment deployment(String namespace, String name, String secretName) {
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .withReplicas(2)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withTemplate(podTemplate(name, secretName))
            .endSpec()
            .build();
    return client.apps().deployments().inNamespace(namespace).resource(deployment).create();
  }

  /** A StatefulSet whose pods read the Secret; StatefulSets never surge. */
  public StatefulSet statefulSet(String namespace, String name, String secretName, int replicas) {
    StatefulSet statefulSet =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withServiceName(name)
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withTemplate(podTemplate(name, secretName))
            .endSpec()
            .build();
    return client.apps().statefulSets().inNamespace(namespace).resource(statefulSet).create();
  }

  /** Pods labelled app=name with one container that reads every key of the Secret. */
  private static PodTemplateSpec podTemplate(String name, String secretName) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("example/app:1")
        .addNewEnvFrom()
        .withNewSecretRef()
        .withName(secretName)
        .endSecretRef()
        .endEnvFrom()
        .endContainer()
        .endSpec()
        .build();
  }

  /**
   * Writes the status the Deployment controller would once every pod runs the current template (2
   * replicas), for a control plane without that controller; returns whether there was a rollout to
   * complete. Written with the resourceVersion it read: a 409 means the template changed meanwhile,
   * which leaves a rollout to complete (true).
   */
  public boolean completeRollout(String namespace, String name) {
    Deployment d = getDeployment(namespace, name).orElseThrow();
    Long generation = d.getMetadata().getGeneration();
    if (d.getStatus() != null && generation.equals(d.getStatus().getObservedGeneration())) {
      return false;
    }
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(generation)
            .withReplicas(2)
            .withUpdatedReplicas(2)
            .withAvailableReplicas(2)
            .withReadyReplicas(2)
            .build());
    try {
      client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      // 409: the operator restamped the template after the read; that rollout is still to
      // complete, and the caller's next poll completes it.
      if (e.getCode() != 409) throw e;
    }
    return true;
  }

  /**
   * A ConfigMap the policy {@code owner} owns, so a test can tell when the garbage collector has
   * dealt with the policy's dependents ({@link #dependentGone}).
   */
  public void dependent(String namespace, String owner) {
    PostgresConnectionPolicy policy = policy(namespace, owner);
    client
        .configMaps()
        .inNamespace(namespace)
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName(owner + "-dependent")
                .withNamespace(namespace)
                .addNewOwnerReference()
                .withApiVersion(policy.getApiVersion())
                .withKind(policy.getKind())
                .withName(owner)
                .withUid(policy.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .build())
        .create();
  }

  /** Whether the garbage collector has deleted the ConfigMap {@link #dependent} gave the policy. */
  public boolean dependentGone(String namespace, String owner) {
    return client.configMaps().inNamespace(namespace).withName(owner + "-dependent").get() == null;
  }

  public Optional<Deployment> getDeployment(String namespace, String name) {
    return Optional.ofNullable(
        client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  public String resourceVersion(String namespace, String secret) {
    return client
        .secrets()
        .inNamespace(namespace)
        .withName(secret)
        .get()
        .getMetadata()
        .getResourceVersion();
  }

  public Optional<String> secretValue(String namespace, String name, String key) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(key)) {
      return Optional.empty();
    }
    return Optional.of(
        new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8));
  }

  public PostgresConnectionPolicy policy(String namespace, String name) {
    return client
        .resources(PostgresConnectionPolicy.class)
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  public PostgresConnectionPolicy create(PostgresConnectionPolicy policy) {
    return client.resource(policy).create();
  }

  public Optional<Condition> condition(String namespace, String name, String type) {
    PostgresConnectionPolicy policy = policy(namespace, name);
    if (policy == null
        || policy.getStatus() == null
        || policy.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return policy.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  /** The policy's status, or null while the policy or its status does not exist. */
  public PolicyStatus status(String namespace, String name) {
    PostgresConnectionPolicy policy = policy(namespace, name);
    return policy == null ? null : policy.getStatus();
  }

  /**
   * Changes a Secret without changing what it means (a TOUCHED key), so the policies reading it
   * reconcile again.
   */
  public void touchSecret(String namespace, String name) {
    client
        .secrets()
        .inNamespace(namespace)
        .withName(name)
        .edit(
            s -> {
              s.getData()
                  .put(
                      "TOUCHED",
                      Base64.getEncoder()
                          .encodeToString(Long.toString(System.nanoTime()).getBytes()));
              return s;
            });
  }

  /** Whether the policy's Ready condition is True. */
  public boolean ready(String namespace, String name) {
    return condition(namespace, name, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /** The Ready condition's reason, or "" while there is none. */
  public String reason(String namespace, String name) {
    return reason(namespace, name, "Ready");
  }

  /** The reason of the policy's condition of this type, or "" while there is none. */
  public String reason(String namespace, String name, String type) {
    return condition(namespace, name, type).map(c -> String.valueOf(c.getReason())).orElse("");
  }

  /** Waits (within {@link #await()}'s deadline) until the policy is Ready. */
  public void awaitReady(String namespace, String name) {
    await().until(() -> ready(namespace, name));
  }

  public static String annotation(Deployment deployment, String key) {
    Map<String, String> annotations =
        deployment.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
