package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = "self.format == 'env' || has(self.key)",
    message =
        "key is required: it names the Secret key the connection string is written to (only"
            + " format env, which writes PG* variables, has none)")
@ValidationRule(
    value = "!has(self.keyPrefix) || self.format == 'jdbc' || self.format == 'env'",
    message =
        "keyPrefix applies to the jdbc and env formats only (node-postgres and prisma-adapter-pg"
            + " name their extra keys after key; prisma, libpq and pgx write key alone)")
public class OutputSpec {

  @Pattern("^[-._a-zA-Z0-9]+$")
  @Size(min = 1, max = 64)
  @JsonPropertyDescription(
      "Key in the target Secret. Required, except for format env, which ignores it. For jdbc,"
          + " this key holds the URL with the credentials in its query; if it is also one of"
          + " the output's prefixed keys (e.g. SPRING_DATASOURCE_URL), the prefixed entry"
          + " (without credentials) is written under it.")
  private String key;

  @Pattern("^[-._a-zA-Z0-9]*$")
  @Size(max = 64)
  @JsonPropertyDescription(
      "jdbc and env only: the prefix of the output's extra keys, so that two outputs of one"
          + " format can share a Secret (e.g. a pooled jdbc output for the app and an unpooled"
          + " one for Flyway or Liquibase). jdbc writes <keyPrefix>URL (without credentials),"
          + " <keyPrefix>USERNAME, <keyPrefix>PASSWORD and, when pooled,"
          + " <keyPrefix>HIKARI_MAXIMUM_POOL_SIZE and <keyPrefix>HIKARI_CONNECTION_TIMEOUT;"
          + " default SPRING_DATASOURCE_ (Spring Boot's datasource). env writes"
          + " <keyPrefix>PGHOST, <keyPrefix>PGPORT, <keyPrefix>PGUSER, ...; default empty.")
  private String keyPrefix;

  @Default("prisma")
  @JsonPropertyDescription(
      "Client dialect: prisma | prisma-adapter-pg | libpq | jdbc | pgx | node-postgres | env."
          + " prisma is Prisma's URL with connection_limit and pool_timeout, read by Prisma 6 and"
          + " earlier (the Rust query engine). prisma-adapter-pg is for Prisma 7, which connects"
          + " through a driver adapter (@prisma/adapter-pg) that ignores those URL parameters:"
          + " key holds a"
          + " node-postgres URL (TLS spelled as node-postgres reads it) and <key>_POOL_MAX,"
          + " <key>_POOL_CONNECTION_TIMEOUT_MILLIS and <key>_POOL_IDLE_TIMEOUT_MILLIS hold the"
          + " pool options the app passes to new PrismaPg({...}), as node-postgres does.")
  private OutputFormatName format = OutputFormatName.prisma;

  @Default("true")
  @JsonPropertyDescription(
      "false writes the same target without pool parameters: for migrations"
          + " (Prisma directUrl). Default true.")
  private Boolean pooled = Boolean.TRUE;

  public OutputSpec() {}

  public OutputSpec(String key, OutputFormatName format, boolean pooled) {
    this.key = key;
    this.format = format;
    this.pooled = pooled;
  }

  public OutputSpec(String key, OutputFormatName format, boolean pooled, String keyPrefix) {
    this(key, format, pooled);
    this.keyPrefix = keyPrefix;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public OutputFormatName getFormat() {
    return format == null ? OutputFormatName.prisma : format;
  }

  public void setFormat(OutputFormatName format) {
    this.format = format;
  }

  public Boolean getPooled() {
    return pooled == null || pooled;
  }

  public void setPooled(Boolean pooled) {
    this.pooled = pooled;
  }
}
