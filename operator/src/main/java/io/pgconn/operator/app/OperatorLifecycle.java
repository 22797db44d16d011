package io.pgconn.operator.app;

import io.javaoperatorsdk.operator.Operator;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Starts the operator when the HTTP server (health, metrics) is up. Command-line runs (pgconn url,
 * pgconn doctor) start no server, so they never build it.
 *
 * <p>The operator is looked up lazily, once, and kept: asking the provider again while the context
 * shuts down would build a second Operator (the first is already destroyed by then). Stopping is
 * the Operator bean's own pre-destroy (see OperatorFactory), which runs before the Kubernetes
 * client it uses is closed.
 */
@Singleton
public class OperatorLifecycle implements ApplicationEventListener<ServerStartupEvent> {

  private final BeanProvider<Operator> operator;
  private volatile Operator started;

  public OperatorLifecycle(BeanProvider<Operator> operator) {
    this.operator = operator;
  }

  @Override
  public synchronized void onApplicationEvent(ServerStartupEvent event) {
    if (started != null) return;
    Operator built = operator.get();
    built.start();
    started = built;
  }

  /** The running operator; empty before the server started it. Never builds one. */
  public Optional<Operator> started() {
    return Optional.ofNullable(started);
  }

  public boolean isStarted() {
    return started != null;
  }
}
