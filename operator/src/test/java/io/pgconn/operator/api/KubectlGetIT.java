package io.pgconn.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pgconn.operator.testenv.LocalControlPlane;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import io.pgconn.operator.testenv.TestCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl get pgcp} and {@code kubectl explain} show, with the kubectl built for the
 * local control plane against the installed CRD: READY and REASON first, AGE last (the generator
 * alone would put AGE first), and a description where the generator leaves none.
 */
@OperatorEnvironment(controlPlane = ControlPlane.LOCAL, operator = false, namespaces = "cols")
class KubectlGetIT {

  @Test
  void columnsAreReadyReasonLimitUsageSslThenAge(TestCluster cluster, KubernetesClient client)
      throws Exception {
    // ControlPlane.LOCAL: always the local control plane, and its kubectl.
    LocalControlPlane controlPlane = (LocalControlPlane) cluster;
    GenericKubernetesResource policy =
        Serialization.unmarshal(
            """
            {"apiVersion":"pgconn.io/v1alpha1","kind":"PostgresConnectionPolicy",
             "metadata":{"name":"app","namespace":"cols"},
             "spec":{"source":{"secretRef":{"name":"db"}}}}
            """,
            GenericKubernetesResource.class);
    client.resource(policy).create();

    String out = kubectl(controlPlane, "get", "pgcp", "-n", "cols");
    String wide = kubectl(controlPlane, "get", "pgcp", "-n", "cols", "-o", "wide");

    assertThat(out.lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "READY", "REASON", "LIMIT", "USAGE", "SSL", "AGE");
    assertThat(wide.lines().findFirst().orElseThrow().split("\\s+"))
        .containsExactly("NAME", "READY", "REASON", "LIMIT", "USAGE", "SSL", "SERVER", "AGE");
  }

  @Test
  void kubectlExplainDescribesTheSpecAndTheListItems(TestCluster cluster) throws Exception {
    LocalControlPlane controlPlane = (LocalControlPlane) cluster;

    assertThat(kubectl(controlPlane, "explain", "pgcp.spec"))
        .contains("What the policy asks for: the source Secret");
    assertThat(kubectl(controlPlane, "explain", "pgcp.spec.target.outputs"))
        .contains("One key of the target Secret");
    // Every source shape, and the CA bundle, with what each field means.
    String source = kubectl(controlPlane, "explain", "pgcp.spec.source");
    assertThat(source.replaceAll("\\s+", " "))
        .contains("in one of three shapes", "secretRef (a URL in one key)")
        .contains("fields (host, port, dbname, user, password", "CloudNativePG's <cluster>-app")
        .contains("json (a JSON document, e.g. an AWS RDS secret)");
    assertThat(source).contains("secretRef", "fields", "json", "caSecretRef", "directSecretRef");
    assertThat(kubectl(controlPlane, "explain", "pgcp.spec.source.fields.password"))
        .contains("Default password");
    assertThat(kubectl(controlPlane, "explain", "pgcp.spec.source.caSecretRef.mountPath"))
        .contains("sslrootcert");
    assertThat(kubectl(controlPlane, "explain", "pgcp.status.conditions.type"))
        .contains("Ready, ConnectionVerified");
  }

  private static String kubectl(LocalControlPlane controlPlane, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                controlPlane.kubectl().toString(),
                "--kubeconfig",
                controlPlane.kubeconfigFile().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
