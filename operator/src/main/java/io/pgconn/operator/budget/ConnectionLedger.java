package io.pgconn.operator.budget;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Who holds connections on one server, against what the policies allotted them: the answer to "who
 * is eating my connections". A consumer is an (application_name, role) pair as pg_stat_activity
 * shows it. A policy allots its consumer (its pools' application_name, its URL's role) its per-pod
 * limit times the pods its workloads have now; a consumer holding more than that is over its
 * allotment (an app that ignores connection_limit, a leaked pool, pods the operator does not know
 * of). Clients no policy allots are not budgeted (a cron job, a psql session, a migration: the
 * reserve is theirs); the operator's own probe connections are named as such.
 *
 * @param lines every consumer, over-allotted ones first (largest excess first), then by connections
 *     held, then by name and role
 */
public record ConnectionLedger(List<Line> lines) {

  /** How a consumer stands against its allotment. */
  public enum Standing {
    /** Allotted by a policy and holding at most that. */
    WITHIN("Within"),
    /** Allotted by a policy and holding more than that. */
    OVER_ALLOTMENT("OverAllotment"),
    /** No policy on the server allots it: it lives on the reserve. */
    NOT_BUDGETED("NotBudgeted"),
    /** The operator's own probe connections. */
    OPERATOR_PROBE("OperatorProbe");

    private final String wire;

    Standing(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** An application_name and role as the server stores them. */
  public record ConsumerId(String applicationName, String role) {
    public ConsumerId {
      applicationName = applicationName == null ? "" : applicationName;
      role = role == null ? "" : role;
    }
  }

  /**
   * What one policy allots: its pools' application_name (as configured; every form a server stores
   * it in matches, see {@link StoredApplicationName}), the role its URL logs in as, its per-pod
   * limit and the pods its workloads have now.
   */
  public record Allotment(String applicationName, String role, int perPodLimit, int pods) {
    public Allotment {
      Objects.requireNonNull(applicationName, "applicationName");
      role = role == null ? "" : role;
      if (perPodLimit < 0 || pods < 0) throw new IllegalArgumentException("negative allotment");
    }

    public int connections() {
      return perPodLimit * pods;
    }
  }

  /**
   * One consumer's line.
   *
   * @param allotted connections its policies allot it, null when it is not budgeted (or the probe)
   */
  public record Line(
      String applicationName, String role, int held, Integer allotted, Standing standing) {

    public ConsumerId id() {
      return new ConsumerId(applicationName, role);
    }

    public boolean overAllotted() {
      return standing == Standing.OVER_ALLOTMENT;
    }

    /** Connections held beyond the allotment; 0 unless over it. */
    public int excess() {
      return overAllotted() ? held - allotted : 0;
    }
  }

  private static final Comparator<Line> ORDER =
      Comparator.comparingInt(Line::excess)
          .reversed()
          .thenComparing(Comparator.comparingInt(Line::held).reversed())
          .thenComparing(Line::applicationName)
          .thenComparing(Line::role);

  public ConnectionLedger {
    lines = List.copyOf(lines);
  }

  /**
   * Sessions counted per consumer, from a probe's sessions keyed however the caller reads them (one
   * entry per application_name and role, or several that add up).
   */
  public static <K> Map<ConsumerId, Integer> held(
      Map<K, Integer> sessions, Function<K, String> applicationName, Function<K, String> role) {
    Map<ConsumerId, Integer> held = new LinkedHashMap<>();
    sessions.forEach(
        (client, n) ->
            held.merge(
                new ConsumerId(applicationName.apply(client), role.apply(client)),
                n,
                Integer::sum));
    return held;
  }

  /**
   * @param held client sessions by consumer as the probe read them (the probe's own session left
   *     out)
   * @param allotments every policy on the server; policies with the same application_name and role
   *     add up
   * @param probeApplicationName the application_name of the operator's probe connections
   */
  public static ConnectionLedger of(
      Map<ConsumerId, Integer> held,
      Collection<Allotment> allotments,
      String probeApplicationName) {
    // Budgeted consumers, keyed by the name as configured; several policies may allot one.
    Map<ConsumerId, Integer> allotted = new TreeMap<>(ID_ORDER);
    for (Allotment a : allotments) {
      allotted.merge(new ConsumerId(a.applicationName(), a.role()), a.connections(), Integer::sum);
    }
    // Each stored form of a budgeted name leads to it (a server before 16 writes '?', 16+ \xNN).
    Map<ConsumerId, ConsumerId> byStoredForm = new HashMap<>();
    for (ConsumerId budgeted : allotted.keySet()) {
      for (String form : StoredApplicationName.forms(budgeted.applicationName())) {
        byStoredForm.putIfAbsent(new ConsumerId(form, budgeted.role()), budgeted);
      }
    }
    Map<ConsumerId, Integer> heldByBudgeted = new LinkedHashMap<>();
    allotted.keySet().forEach(id -> heldByBudgeted.put(id, 0));
    Map<ConsumerId, Integer> unbudgeted = new TreeMap<>(ID_ORDER);
    held.forEach(
        (id, n) -> {
          ConsumerId budgeted = byStoredForm.get(id);
          if (budgeted != null) {
            heldByBudgeted.merge(budgeted, n, Integer::sum);
          } else {
            unbudgeted.merge(id, n, Integer::sum);
          }
        });
    List<Line> lines = new ArrayList<>();
    heldByBudgeted.forEach((id, n) -> lines.add(budgetedLine(id, n, allotted.get(id))));
    unbudgeted.forEach((id, n) -> lines.add(unbudgetedLine(id, n, probeApplicationName)));
    return sorted(lines);
  }

  /** A ledger of {@code lines} in the ledger's order. */
  static ConnectionLedger sorted(List<Line> lines) {
    List<Line> ordered = new ArrayList<>(lines);
    ordered.sort(ORDER);
    return new ConnectionLedger(ordered);
  }

  static Line budgetedLine(ConsumerId id, int held, int allotted) {
    return new Line(
        id.applicationName(),
        id.role(),
        held,
        allotted,
        held > allotted ? Standing.OVER_ALLOTMENT : Standing.WITHIN);
  }

  static Line unbudgetedLine(ConsumerId id, int held, String probeApplicationName) {
    return new Line(
        id.applicationName(),
        id.role(),
        held,
        null,
        id.applicationName().equals(probeApplicationName)
            ? Standing.OPERATOR_PROBE
            : Standing.NOT_BUDGETED);
  }

  static final Comparator<ConsumerId> ID_ORDER =
      Comparator.comparing(ConsumerId::applicationName).thenComparing(ConsumerId::role);

  /** The consumers over their allotment, largest excess first. */
  public List<Line> overAllotted() {
    return lines.stream().filter(Line::overAllotted).toList();
  }

  /** The line of {@code id}, if the ledger has one. */
  public Optional<Line> line(ConsumerId id) {
    return lines.stream().filter(l -> l.id().equals(id)).findFirst();
  }

  /**
   * At most {@code max} lines for one policy to show: its own consumer first (even holding
   * nothing), then every consumer over its allotment, then the others that hold connections, most
   * first. Consumers of other policies that hold nothing are left out.
   */
  public List<Line> shownFor(ConsumerId own, int max) {
    List<Line> shown = new ArrayList<>();
    line(own).ifPresent(shown::add);
    for (Line l : lines) {
      if (shown.size() >= max) break;
      if (l.id().equals(own) || l.held() == 0) continue;
      shown.add(l);
    }
    return List.copyOf(shown.subList(0, Math.min(max, shown.size())));
  }

  /** Connections held by every consumer together. */
  public int held() {
    return lines.stream().mapToInt(Line::held).sum();
  }
}
