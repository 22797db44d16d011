package io.pgconn.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgconn.operator.api.WorkloadKind;
import io.pgconn.operator.kube.OperatorIdentity;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The restart annotations survive a GitOps tool re-applying the user's own manifest (which does not
 * contain them) with server-side apply under its own field manager, as Argo CD (ServerSideApply
 * sync option) and Flux do: each policy's annotation belongs to that policy's field manager
 * pgconn-operator/&lt;policy&gt;, and an apply only removes fields its own manager owned. See
 * docs/gitops.md.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.LOCAL,
    operator = false,
    namespaces = GitOpsCoexistenceIT.NS)
class GitOpsCoexistenceIT {

  static final String NS = "gitops";
  private final KubernetesClient client;

  GitOpsCoexistenceIT(KubernetesClient client) {
    this.client = client;
  }

  /** The manifest as it lives in Git: no pgconn annotation anywhere. */
  static Deployment fromGit(String image) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withNewSelector()
        .addToMatchLabels("app", "web")
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "web")
        .addToAnnotations("example.com/team", "shop")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage(image)
        .addNewEnvFrom()
        .withNewSecretRef()
        .withName("web-connection")
        .endSecretRef()
        .endEnvFrom()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static Map<String, String> templateAnnotations(Deployment d) {
    return d.getSpec().getTemplate().getMetadata().getAnnotations();
  }

  @Test
  void applyingTheGitManifestUnderAnotherManagerKeepsTheStamps() {
    // Two policies whose Secrets the pods read: each stamps its own key under its own manager.
    List<String> policies = List.of("web", "web-reports");
    for (String manager : new String[] {"argocd-controller", "kustomize-controller"}) {
      client
          .resource(fromGit("example/app:1"))
          .fieldManager(manager)
          .forceConflicts()
          .serverSideApply();
      for (String policy : policies) {
        new PodTemplateStamper(client)
            .stamp(
                new WorkloadKey(WorkloadKind.Deployment, NS, "web"),
                policy,
                "sha256:" + manager + "-" + policy);
      }

      // A sync of the unchanged manifest (dry run: what Argo CD diffs against) and of a changed
      // one (a real apply) both leave the operator's annotations in place.
      Deployment dryRun =
          client
              .resource(fromGit("example/app:1"))
              .dryRun()
              .fieldManager(manager)
              .forceConflicts()
              .serverSideApply();
      assertThat(templateAnnotations(dryRun)).containsEntry("example.com/team", "shop");
      Deployment applied =
          client
              .resource(fromGit("example/app:2"))
              .fieldManager(manager)
              .forceConflicts()
              .serverSideApply();
      assertThat(applied.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("example/app:2");
      for (String policy : policies) {
        String key = PodTemplateStamps.key(policy);
        assertThat(key).startsWith(PodTemplateStamps.KEY_PREFIX);
        String hash = "sha256:" + manager + "-" + policy;
        assertThat(templateAnnotations(dryRun)).containsEntry(key, hash);
        assertThat(templateAnnotations(applied)).containsEntry(key, hash);

        // Each annotation is owned by its policy's manager alone, pgconn-operator/<policy>.
        assertThat(applied.getMetadata().getManagedFields())
            .anySatisfy(
                f -> {
                  assertThat(f.getManager())
                      .isEqualTo(OperatorIdentity.policyFieldManager(policy))
                      .isEqualTo(OperatorIdentity.FIELD_MANAGER + "/" + policy);
                  assertThat(f.getFieldsV1().getAdditionalProperties().toString())
                      .contains("f:" + key);
                });
        assertThat(applied.getMetadata().getManagedFields())
            .filteredOn(f -> !OperatorIdentity.policyFieldManager(policy).equals(f.getManager()))
            .allSatisfy(
                f ->
                    assertThat(f.getFieldsV1().getAdditionalProperties().toString())
                        .doesNotContain("f:" + key + "="));
      }
      client.resource(applied).delete();
      client
          .apps()
          .deployments()
          .inNamespace(NS)
          .withName("web")
          .waitUntilCondition(d -> d == null, 30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
