package io.pgconn.operator.app;

import io.javaoperatorsdk.operator.Operator;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

/**
 * Starts the operator when the HTTP server (health, metrics) is up, and stops it on shutdown.
 * Command-line runs (pgconn url, pgconn doctor) start no server, so they never start it.
 */
@Singleton
public class OperatorLifecycle implements ApplicationEventListener<ServerStartupEvent> {

  private final Provider<Operator> operator;
  private volatile boolean started;

  public OperatorLifecycle(Provider<Operator> operator) {
    this.operator = operator;
  }

  @Override
  public void onApplicationEvent(ServerStartupEvent event) {
    operator.get().start();
    started = true;
  }

  @PreDestroy
  public void stop() {
    if (started) {
      operator.get().stop();
      started = false;
    }
  }

  public boolean isStarted() {
    return started;
  }
}
