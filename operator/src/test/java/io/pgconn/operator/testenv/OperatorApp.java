package io.pgconn.operator.testenv;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real Micronaut application, wired exactly as in a cluster, pointed at a test API server
 * through pgconn.kubeconfig. Starting the embedded server is what starts the operator.
 */
public final class OperatorApp implements AutoCloseable {

  private final ApplicationContext context;
  private final EmbeddedServer server;

  private OperatorApp(ApplicationContext context, EmbeddedServer server) {
    this.context = context;
    this.server = server;
  }

  public static OperatorApp start(Path kubeconfig, Map<String, Object> extra) {
    return start(kubeconfig, extra, new Object[0]);
  }

  /**
   * @param beans registered with the application context before it starts, e.g. a PolicyObserver
   *     that crashes the operator between two writes
   */
  public static OperatorApp start(Path kubeconfig, Map<String, Object> extra, Object... beans) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("pgconn.kubeconfig", kubeconfig.toString());
    properties.put("micronaut.server.port", -1);
    // A route's own port must be a number before the server binds it: a free one, taken now.
    properties.put("pgconn.metrics-port", freePort());
    properties.putAll(extra);
    ApplicationContext context =
        ApplicationContext.builder().properties(properties).singletons(beans).start();
    EmbeddedServer server = context.getBean(EmbeddedServer.class);
    server.start();
    return new OperatorApp(context, server);
  }

  public ApplicationContext context() {
    return context;
  }

  /** Base URL of the health endpoints. */
  public String url() {
    return server.getURL().toString();
  }

  /** Base URL of the metrics port (GET /prometheus). */
  public String metricsUrl() {
    int port = context.getProperty("pgconn.metrics-port", Integer.class).orElseThrow();
    return "http://" + server.getHost() + ":" + port;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops this instance; closing it again does nothing (a test may stop one its environment owns).
   */
  @Override
  public void close() {
    if (!context.isRunning()) return;
    server.stop();
    context.close();
  }
}
