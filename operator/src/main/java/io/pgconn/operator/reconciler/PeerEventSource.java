package io.pgconn.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.util.Collection;
import java.util.Set;

/** Wakes the policies that share a server with one whose sizing inputs changed. */
final class PeerEventSource
    extends AbstractEventSource<PostgresConnectionPolicy, PostgresConnectionPolicy> {

  static final String NAME = "budget-peers";

  PeerEventSource() {
    super(PostgresConnectionPolicy.class, NAME);
  }

  void wake(Collection<ResourceID> policies) {
    if (!isRunning()) return;
    policies.forEach(policy -> getEventHandler().handleEvent(new Event(policy)));
  }

  @Override
  public Set<PostgresConnectionPolicy> getSecondaryResources(PostgresConnectionPolicy primary) {
    return Set.of();
  }
}
