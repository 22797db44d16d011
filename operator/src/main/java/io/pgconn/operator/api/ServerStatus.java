package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerStatus {
  @JsonPropertyDescription("server_version as the server reports it.")
  private String version;

  @JsonPropertyDescription("max_connections.")
  private Integer maxConnections;

  @JsonPropertyDescription("superuser_reserved_connections + reserved_connections (16+).")
  private Integer reservedConnections;

  @JsonPropertyDescription("pg_roles.rolconnlimit of the policy's role (-1 = none).")
  private Integer roleConnectionLimit;

  @JsonPropertyDescription("pg_database.datconnlimit of the policy's database (-1 = none).")
  private Integer databaseConnectionLimit;

  @JsonPropertyDescription(
      "Client connections the policy's role can see in pg_stat_activity, sampled with lastProbe"
          + " (when the probe's result changes, otherwise at most hourly).")
  private Integer inUse;

  @JsonPropertyDescription("inUse/maxConnections, for kubectl get; sampled with inUse.")
  private String usage;

  @JsonPropertyDescription(
      "The connection ledger: who holds connections on this server, by application_name and"
          + " role, against what the policies allot them. At most 10 entries: this policy's own"
          + " consumer first, then every consumer over its allotment, then the others that hold"
          + " connections, most first. Counts are sampled with inUse; a consumer going over its"
          + " allotment (or back within it) is recorded at once.")
  private java.util.List<ConsumerStatus> consumers;

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getMaxConnections() {
    return maxConnections;
  }

  public void setMaxConnections(Integer maxConnections) {
    this.maxConnections = maxConnections;
  }

  public Integer getReservedConnections() {
    return reservedConnections;
  }

  public void setReservedConnections(Integer reservedConnections) {
    this.reservedConnections = reservedConnections;
  }

  public Integer getRoleConnectionLimit() {
    return roleConnectionLimit;
  }

  public void setRoleConnectionLimit(Integer roleConnectionLimit) {
    this.roleConnectionLimit = roleConnectionLimit;
  }

  public Integer getDatabaseConnectionLimit() {
    return databaseConnectionLimit;
  }

  public void setDatabaseConnectionLimit(Integer databaseConnectionLimit) {
    this.databaseConnectionLimit = databaseConnectionLimit;
  }

  public Integer getInUse() {
    return inUse;
  }

  public String getUsage() {
    return usage;
  }

  public void setUsage(String usage) {
    this.usage = usage;
  }

  public void setInUse(Integer inUse) {
    this.inUse = inUse;
  }

  public java.util.List<ConsumerStatus> getConsumers() {
    return consumers;
  }

  public void setConsumers(java.util.List<ConsumerStatus> consumers) {
    this.consumers = consumers;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerStatus that
        && Objects.equals(version, that.version)
        && Objects.equals(maxConnections, that.maxConnections)
        && Objects.equals(reservedConnections, that.reservedConnections)
        && Objects.equals(roleConnectionLimit, that.roleConnectionLimit)
        && Objects.equals(databaseConnectionLimit, that.databaseConnectionLimit)
        && Objects.equals(inUse, that.inUse)
        && Objects.equals(usage, that.usage)
        && Objects.equals(consumers, that.consumers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        version,
        maxConnections,
        reservedConnections,
        roleConnectionLimit,
        databaseConnectionLimit,
        inUse,
        usage,
        consumers);
  }
}
