package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.ProbeMode;
import io.pgconn.operator.budget.ServerKey;
import io.pgconn.operator.budget.ServerLimits;
import io.pgconn.operator.probe.ProbeResult;
import io.pgconn.operator.probe.ServerFacts;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.HostPort;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Which server's budget a policy counts in, as its probe established it. Only a probe that logged
 * in says which server a URL reaches and what it has: the budget is then keyed by what the server
 * reported about itself ({@link io.pgconn.operator.probe.ServerIdentity}), so aliases of one server
 * share one budget and a host nobody answers for is nobody's. A policy whose probe never logged in
 * is unverified and counts in no budget (see {@code BudgetAllocator.unbudgeted}).
 *
 * <p>A probe that fails after one logged in, at the same endpoints as the same role and database (a
 * full server refusing it with 53300, a network blip, a rotated password in probe mode Observe),
 * leaves the policy where it was: its pods still hold their connections there. It is then {@link
 * Verified#held held}: counted at no more than its last limit, which it may lower but not raise
 * until a probe succeeds. Per policy, not per server: role and database limits depend on the
 * credentials. In memory only: after a restart, a policy is verified again by its first probe.
 */
final class VerifiedServers {

  /**
   * @param limits what the probe read (or, when held, what the last one that logged in read)
   * @param held the current probe failed: the policy may lower its limit, not raise it
   */
  record Verified(ServerKey key, ServerLimits limits, boolean held) {}

  private record Known(String endpoints, Verified verified) {}

  private final Map<String, Known> lastKnown = new ConcurrentHashMap<>();

  /**
   * @param id the policy
   * @param server the connection string the probe used
   * @param probed the probe's result, or null when there was none
   * @return null when the policy is unverified
   */
  Verified verify(String id, ConnectionString server, ProbeResult probed) {
    String endpoints = endpoints(server);
    if (probed != null && probed.ok()) {
      ServerFacts facts = probed.facts();
      Verified verified =
          new Verified(
              facts.identity() != null
                  ? ServerKey.reported(facts.identity().key())
                  : spelled(server), // a server that does not say who it is: the host as written
              new ServerLimits(
                  facts.maxConnections(),
                  facts.reservedTotal(),
                  facts.roleConnectionLimit(),
                  facts.databaseConnectionLimit()),
              false);
      lastKnown.put(id, new Known(endpoints, verified));
      return verified;
    }
    Known known = lastKnown.get(id);
    if (probed != null && known != null && known.endpoints().equals(endpoints)) {
      return new Verified(known.verified().key(), known.verified().limits(), true);
    }
    lastKnown.remove(id);
    return null;
  }

  void forget(String id) {
    lastKnown.remove(id);
  }

  /** Why a policy is not verified, as a clause for its BudgetSatisfied message. */
  static String whyUnverified(ProbeMode mode, ProbeResult probed) {
    if (mode == ProbeMode.Off) return "spec.probe.mode is Off";
    if (probed == null) return "its source cannot be probed";
    if (PolicyProbe.saturated(probed)) {
      return "the server refused the probe ("
          + probed.failure().name()
          + ") and no probe of it has logged in since the operator started";
    }
    return "its probe did not log in: " + probed.failure().name();
  }

  /** Endpoints, role and database: a policy pointed elsewhere is not where it was. */
  private static String endpoints(ConnectionString server) {
    return server.hosts().stream()
            .map(h -> h.host() + ":" + h.portOrDefault())
            .collect(Collectors.joining(","))
        + "/"
        + server.database()
        + "?user="
        + server.user();
  }

  private static ServerKey spelled(ConnectionString server) {
    HostPort endpoint =
        server.hosts().isEmpty() ? new HostPort("localhost", null) : server.hosts().get(0);
    return new ServerKey(
        endpoint.host().isEmpty() ? "localhost" : endpoint.host(), endpoint.portOrDefault());
  }
}
