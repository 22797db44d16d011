package io.pgconn.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.util.Set;

/**
 * Wakes a policy when the probe it asked for completes: the reconcile that asked returned at once
 * ("probe in progress") instead of waiting on a reconcile thread for the server.
 */
final class ProbeEventSource
    extends AbstractEventSource<PostgresConnectionPolicy, PostgresConnectionPolicy> {

  static final String NAME = "probe-results";

  ProbeEventSource() {
    super(PostgresConnectionPolicy.class, NAME);
  }

  void wake(ResourceID policy) {
    if (!isRunning()) return;
    getEventHandler().handleEvent(new Event(policy));
  }

  @Override
  public Set<PostgresConnectionPolicy> getSecondaryResources(PostgresConnectionPolicy primary) {
    return Set.of();
  }
}
