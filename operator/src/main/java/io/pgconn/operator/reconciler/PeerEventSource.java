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

  void wake(Collection<String> ids) {
    if (!isRunning()) return;
    for (String id : ids) {
      int slash = id.indexOf('/');
      getEventHandler().handleEvent(new Event(new ResourceID(id.substring(slash + 1),
          id.substring(0, slash))));
    }
  }

  @Override
  public Set<PostgresConnectionPolicy> getSecondaryResources(PostgresConnectionPolicy primary) {
    return Set.of();
  }
}
