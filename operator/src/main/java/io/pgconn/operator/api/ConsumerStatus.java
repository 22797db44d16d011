package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One line of the connection ledger: who holds connections on the server, against what the policies
 * allotted. A record: status values are built whole, never mutated.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConsumerStatus(
    @JsonPropertyDescription(
            "application_name as pg_stat_activity shows it (empty when the client sent none).")
        String applicationName,
    @JsonPropertyDescription("The role its sessions log in as (pg_stat_activity.usename).")
        String role,
    @JsonPropertyDescription("Client connections it held when the ledger was last recorded.")
        Integer held,
    @JsonPropertyDescription(
            "Connections the policies on this server allot it: their per-pod limit (the highest"
                + " its pods may run during a rollout) times the pods their workloads have now"
                + " (status.replicas; a policy that lists no workload counts as one pod). Absent"
                + " when no policy allots it.")
        Integer allotted,
    @JsonPropertyDescription(
            "Within (held <= allotted), OverAllotment (held > allotted: an app that ignores"
                + " connection_limit, a leaked pool, pods the operator does not know of),"
                + " NotBudgeted (no policy on this server lists it: a cron job, a psql session; it"
                + " lives on the reserve) or OperatorProbe (the operator's own probe connections).")
        String standing) {

  public static final String OVER_ALLOTMENT = "OverAllotment";

  public boolean overAllotted() {
    return OVER_ALLOTMENT.equals(standing);
  }
}
