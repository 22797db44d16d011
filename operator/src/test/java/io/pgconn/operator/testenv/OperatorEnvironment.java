package io.pgconn.operator.testenv;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an integration test class runs against, started once for the class and closed after it in
 * reverse order (also when starting stopped halfway). The parts are injected into constructors,
 * test methods and {@code @BeforeAll} methods by type: {@link TestCluster}, {@link LocalPostgres},
 * {@link OperatorApp} (the environment's running operator), {@link Operators} (to stop and start it
 * again, or to start other instances), {@link io.fabric8.kubernetes.client.KubernetesClient},
 * {@link ClusterFixtures}, {@link ServiceAccounts}, {@link AuditLog}, {@link LogCapture}, or all of
 * them through a {@link Handle}. Seeding a class needs (roles, Secrets) goes in the class's own
 * {@code @BeforeAll}, which runs after the environment has started.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(OperatorEnvironmentExtension.class)
public @interface OperatorEnvironment {

  ControlPlane controlPlane() default ControlPlane.CONFIGURED;

  /** The API server's audit log; anything but NONE needs the local control plane's flags. */
  Audit audit() default Audit.NONE;

  /**
   * Admission plugins the API server enables on top of its defaults (for example
   * OwnerReferencesPermissionEnforcement, as on OpenShift); like the audit log, a flag of the local
   * control plane.
   */
  String[] admissionPlugins() default {};

  /** Whether the CRD the build generated is applied; false when the test installs its own. */
  boolean crd() default true;

  /** PostgreSQL major version; 0 for no PostgreSQL. */
  int postgres() default 0;

  boolean ssl() default false;

  /** max_connections; 0 keeps LocalPostgres's default. */
  int maxConnections() default 0;

  /** The superuser's password; empty keeps LocalPostgres's default. */
  String superuserPassword() default "";

  /** Whether the real application (the operator) runs against the control plane. */
  boolean operator() default true;

  /** Namespaces created before the operator starts. */
  String[] namespaces() default {};

  /**
   * Namespaces deleted at the end when the cluster is not one this suite started (a local control
   * plane is thrown away whole).
   */
  String[] deleteOnExistingCluster() default {};

  /** Capture every log line from before anything starts until everything is closed. */
  boolean logs() default false;

  enum ControlPlane {
    /** TestCluster.start: the local control plane, unless -Dpgconn.test.kubeconfig or k3s. */
    CONFIGURED,
    /** Always the local control plane (kube-apiserver and etcd), whatever the properties say. */
    LOCAL,
    /**
     * {@link FullControlPlane}: the local control plane plus kube-controller-manager,
     * kube-scheduler and kwok nodes, so that workloads really roll.
     */
    FULL,
    /** No Kubernetes at all (PostgreSQL only); needs operator = false. */
    NONE
  }

  enum Audit {
    NONE,
    SECRETS,
    WRITES,
    SERVICE_ACCOUNTS,
    SECRETS_AND_DEPLOYMENTS;

    AuditLog create() {
      return switch (this) {
        case NONE -> null;
        case SECRETS -> AuditLog.forSecrets();
        case WRITES -> AuditLog.forWrites();
        case SERVICE_ACCOUNTS -> AuditLog.forServiceAccounts();
        case SECRETS_AND_DEPLOYMENTS -> AuditLog.forSecretsAndDeployments();
      };
    }
  }

  /**
   * The class's environment as one parameter, and the place to hand over what a class starts itself
   * so that it is closed in the right place.
   */
  final class Handle {

    private final OperatorEnvironmentExtension.Environment environment;

    Handle(OperatorEnvironmentExtension.Environment environment) {
      this.environment = environment;
    }

    /**
     * Closes the resource once the operator has stopped (before the cluster and PostgreSQL), as a
     * server the operator probes must outlive the operator.
     */
    public <T extends AutoCloseable> T closeAfterOperator(T resource) {
      environment.closeAfterOperator(resource);
      return resource;
    }

    public <T> T get(Class<T> part) {
      return environment.part(part);
    }
  }
}
