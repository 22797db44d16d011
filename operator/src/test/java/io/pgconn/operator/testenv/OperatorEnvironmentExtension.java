package io.pgconn.operator.testenv;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/** Starts what {@link OperatorEnvironment} asks for once per test class and injects its parts. */
public final class OperatorEnvironmentExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(OperatorEnvironmentExtension.class);

  private static final Set<Class<?>> PARTS =
      Set.of(
          TestCluster.class,
          LocalPostgres.class,
          OperatorApp.class,
          Operators.class,
          KubernetesClient.class,
          ClusterFixtures.class,
          ServiceAccounts.class,
          AuditLog.class,
          LogCapture.class,
          OperatorEnvironment.Handle.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    environment(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return PARTS.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    Environment environment = environment(context);
    if (type == OperatorEnvironment.Handle.class) {
      return new OperatorEnvironment.Handle(environment);
    }
    try {
      return environment.part(type);
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  /**
   * The class's environment, started on first use: before the first @BeforeAll, or earlier when a
   * PER_CLASS test instance asks for its parts in its constructor.
   */
  private static Environment environment(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent()) {
      classContext = classContext.getParent().orElseThrow();
    }
    Class<?> testClass = classContext.getRequiredTestClass();
    OperatorEnvironment spec =
        AnnotationSupport.findAnnotation(testClass, OperatorEnvironment.class).orElseThrow();
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(testClass, c -> Environment.start(spec), Environment.class);
  }

  /** The started parts, closed in reverse order of starting. */
  static final class Environment implements AutoCloseable {

    private final Map<Class<?>, Object> parts = new LinkedHashMap<>();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Deque<AutoCloseable> afterOperator = new ArrayDeque<>();

    /** Starts the parts in order; if one fails, closes those already started, newest first. */
    static Environment start(OperatorEnvironment spec) {
      Environment environment = new Environment();
      try {
        environment.startParts(spec);
        return environment;
      } catch (RuntimeException | Error e) {
        try {
          environment.close();
        } catch (Exception closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
    }

    private void startParts(OperatorEnvironment spec) {
      if (spec.logs()) {
        add(LogCapture.class, LogCapture.install());
      }
      if (spec.controlPlane() == OperatorEnvironment.ControlPlane.NONE) {
        if (spec.operator()
            || spec.audit() != OperatorEnvironment.Audit.NONE
            || spec.admissionPlugins().length > 0) {
          throw new IllegalArgumentException(
              "@OperatorEnvironment(controlPlane = NONE) runs no operator and has no API server"
                  + " (audit log, admission plugins)");
        }
        startPostgres(spec);
        toClose.push(this::closeHandedOver);
        return;
      }
      AuditLog audit = spec.audit().create();
      if (audit != null) {
        parts.put(AuditLog.class, audit);
      }
      Map<String, String> flags = apiServerFlags(spec, audit);
      TestCluster cluster =
          switch (spec.controlPlane()) {
            case CONFIGURED -> TestCluster.start(flags);
            case LOCAL -> LocalControlPlane.start(flags);
            case FULL -> FullControlPlane.start(flags);
            case NONE -> throw new IllegalStateException("handled above");
          };
      add(TestCluster.class, cluster);
      startPostgres(spec);
      KubernetesClient client = cluster.newClient();
      add(KubernetesClient.class, client);
      if (!cluster.local() && spec.deleteOnExistingCluster().length > 0) {
        // Closed just before the client is: the namespaces go while it can still delete them.
        List<String> namespaces = List.of(spec.deleteOnExistingCluster());
        toClose.push(() -> namespaces.forEach(ns -> client.namespaces().withName(ns).delete()));
      }
      ClusterFixtures k8s = new ClusterFixtures(client);
      parts.put(ClusterFixtures.class, k8s);
      if (spec.crd()) k8s.installCrd();
      for (String namespace : spec.namespaces()) {
        k8s.namespace(namespace);
      }
      add(ServiceAccounts.class, new ServiceAccounts(cluster, client));
      // What the class hands over goes after the operator has stopped, before everything else.
      toClose.push(this::closeHandedOver);
      // Every operator instance stops first: a test's own too, as they all talk to the cluster.
      Operators operators = new Operators(cluster.kubeconfigFile());
      add(Operators.class, operators);
      if (spec.operator()) operators.start();
    }

    private static Map<String, String> apiServerFlags(OperatorEnvironment spec, AuditLog audit) {
      Map<String, String> flags = new HashMap<>();
      if (audit != null) flags.putAll(audit.apiServerFlags());
      if (spec.admissionPlugins().length > 0) {
        flags.put("--enable-admission-plugins", String.join(",", spec.admissionPlugins()));
      }
      return flags;
    }

    synchronized void closeAfterOperator(AutoCloseable resource) {
      afterOperator.push(resource);
    }

    <T> T part(Class<T> type) {
      if (type == OperatorApp.class && parts.containsKey(Operators.class)) {
        // Whichever instance runs now: a test may have stopped and started it again.
        return type.cast(part(Operators.class).current());
      }
      T part = type.cast(parts.get(type));
      if (part == null) {
        throw new IllegalStateException(
            type.getSimpleName() + " is not part of this class's @OperatorEnvironment");
      }
      return part;
    }

    private void closeHandedOver() throws Exception {
      closeAll(afterOperator);
    }

    private void startPostgres(OperatorEnvironment spec) {
      if (spec.postgres() == 0) return;
      LocalPostgres.Builder postgres = LocalPostgres.builder().version(spec.postgres());
      if (spec.ssl()) postgres.ssl(true);
      if (spec.maxConnections() > 0) postgres.maxConnections(spec.maxConnections());
      if (!spec.superuserPassword().isEmpty()) {
        postgres.superuserPassword(spec.superuserPassword());
      }
      add(LocalPostgres.class, postgres.start());
    }

    private void add(Class<?> type, AutoCloseable part) {
      parts.put(type, part);
      toClose.push(part);
    }

    @Override
    public void close() throws Exception {
      closeAll(toClose);
    }

    /** Closes every one, newest first, even when one fails; rethrows the first failure. */
    static void closeAll(Deque<AutoCloseable> closeables) throws Exception {
      Exception first = null;
      while (!closeables.isEmpty()) {
        try {
          closeables.pop().close();
        } catch (Exception e) {
          if (first == null) first = e;
          else first.addSuppressed(e);
        }
      }
      if (first != null) throw first;
    }
  }
}
