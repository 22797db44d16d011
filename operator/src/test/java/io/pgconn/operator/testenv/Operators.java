package io.pgconn.operator.testenv;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * The operator instances of a test class's environment, all stopped by it (newest first) before
 * anything else it closes: the environment's own instance, which a test may stop and start again as
 * a crash or a rolling update would, and any other instance a test starts (a second replica, one
 * that signs in as a ServiceAccount).
 */
public final class Operators implements AutoCloseable {

  private final Path kubeconfig;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private OperatorApp own;

  Operators(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
  }

  /** The environment's own instance; fails while it is not running. */
  public synchronized OperatorApp current() {
    if (own == null) {
      throw new IllegalStateException(
          "the environment's operator is not running (@OperatorEnvironment(operator = false),"
              + " or stopped)");
    }
    return own;
  }

  /** Starts the environment's own instance: at the start, and again after {@link #stop()}. */
  public synchronized OperatorApp start() {
    if (own != null) throw new IllegalStateException("the environment's operator already runs");
    own = startAs(kubeconfig, Map.of());
    return own;
  }

  /** Stops the environment's own instance, as a crash or a rolling update would. */
  public synchronized void stop() {
    OperatorApp stopping = current();
    own = null;
    started.remove(stopping);
    stopping.close();
  }

  /** Another instance against the same cluster, with these settings on top of the defaults. */
  public OperatorApp startAnother(Map<String, Object> settings) {
    return startAs(kubeconfig, settings);
  }

  /**
   * Another instance that authenticates with this kubeconfig (a ServiceAccount token's, say), with
   * these settings on top of the defaults. A test may stop it itself.
   */
  public synchronized OperatorApp startAs(Path kubeconfig, Map<String, Object> settings) {
    OperatorApp app = OperatorApp.start(kubeconfig, settings);
    started.push(app);
    return app;
  }

  @Override
  public synchronized void close() throws Exception {
    own = null;
    OperatorEnvironmentExtension.Environment.closeAll(started);
  }
}
