package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(
    value = "!(has(self.connectionLimit) && has(self.auto))",
    message =
        "set connectionLimit (a fixed per-pod pool) or auto (sized from the server's budget),"
            + " not both")
public class PoolSpec {

  // Each default stated once: the CRD's schema default, the description and the getters use these.
  public static final int DEFAULT_POOL_TIMEOUT_SECONDS = 20;
  public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
  public static final String DEFAULT_SSL_MODE = "require";

  /** Per pod: no PostgreSQL server serves a thousand connections from one process usefully. */
  public static final int MAX_CONNECTION_LIMIT = 1000;

  /**
   * NAMEDATALEN - 1: what PostgreSQL keeps of application_name (one byte per character, as only
   * printable ASCII is allowed).
   */
  public static final int MAX_APPLICATION_NAME = 63;

  /** Each probe holds a worker for up to this long; a minute covers serverless cold starts. */
  public static final int MAX_CONNECT_TIMEOUT_SECONDS = 60;

  @Min(1)
  @Max(MAX_CONNECTION_LIMIT)
  @JsonPropertyDescription(
      "Fixed per-pod pool size, 1 to 1000. Omit it to size automatically from the"
          + " server's connection budget (see auto).")
  private Integer connectionLimit;

  @JsonPropertyDescription("Automatic sizing, used when connectionLimit is omitted.")
  private AutoPoolSpec auto;

  @Default("" + DEFAULT_POOL_TIMEOUT_SECONDS)
  @Min(0)
  @JsonPropertyDescription(
      "Seconds a query waits for a free pool connection (0 = forever). Default "
          + DEFAULT_POOL_TIMEOUT_SECONDS
          + ".")
  private Integer poolTimeoutSeconds;

  @Default("" + DEFAULT_CONNECT_TIMEOUT_SECONDS)
  @Min(1)
  @Max(MAX_CONNECT_TIMEOUT_SECONDS)
  @JsonPropertyDescription(
      "Seconds to wait for a new connection, 1 to 60. Default "
          + DEFAULT_CONNECT_TIMEOUT_SECONDS
          + ". The operator's"
          + " own probe waits as long, on one of a few shared probe workers.")
  private Integer connectTimeoutSeconds;

  @Min(0)
  @JsonPropertyDescription(
      "Seconds a query may wait on the socket (clients that support it). Unset: the"
          + " client's default.")
  private Integer socketTimeoutSeconds;

  @Default(DEFAULT_SSL_MODE)
  @Pattern("^(disable|allow|prefer|require|verify-ca|verify-full)$")
  @JsonPropertyDescription(
      "disable | allow | prefer | require | verify-ca | verify-full. Default "
          + DEFAULT_SSL_MODE
          + "."
          + " A floor: a source with a stricter sslmode keeps its own (see allowWeakerSsl). Prisma"
          + " honours only disable, prefer and require: asking it for more is refused, never weakened.")
  private String sslMode;

  @Default("false")
  @JsonPropertyDescription(
      "Allow sslMode to be weaker than the source's sslmode. By default the"
          + " effective mode is the stricter of the two (disable < allow < prefer < require < verify-ca"
          + " < verify-full), so a verify-full source stays verify-full under the default require,"
          + " and an explicitly weaker sslMode is refused (Ready=False, reason SslModeWeakened). Set"
          + " true only to write the weaker mode on purpose.")
  private Boolean allowWeakerSsl;

  // The schema's maxLength only bounds the rule's cost: its own refusal ("Too long") would stop
  // the rule, whose message says why 63 and what to do, from being evaluated.
  @Size(max = 253)
  @ValidationRule(
      value = "size(self) <= " + MAX_APPLICATION_NAME + " && self.matches('^[ -~]*$')",
      message =
          "must be at most 63 printable ASCII characters: PostgreSQL keeps only 63 bytes of"
              + " application_name and replaces other bytes, so pg_stat_activity would show"
              + " another name and the budget would count the policy's own sessions as foreign."
              + " Shorten it and use ASCII letters, digits, spaces and punctuation, or leave it"
              + " out (default: the policy's name, cut to 63 characters)")
  @JsonPropertyDescription(
      "application_name reported to the server (visible in pg_stat_activity): at most 63"
          + " printable ASCII characters, as PostgreSQL keeps it. Default: the policy's name,"
          + " cut to 63 characters.")
  private String applicationName;

  @Default("false")
  @JsonPropertyDescription(
      "The source is a transaction-mode pooler (PgBouncer, Supavisor 6543): Prisma"
          + " pgbouncer=true, JDBC prepareThreshold=0, and the budget is computed against the pooler.")
  private Boolean pgbouncer;

  public Integer getConnectionLimit() {
    return connectionLimit;
  }

  public void setConnectionLimit(Integer connectionLimit) {
    this.connectionLimit = connectionLimit;
  }

  public AutoPoolSpec getAuto() {
    return auto;
  }

  /** auto as given, or its defaults: what sizing uses when connectionLimit is omitted. */
  @JsonIgnore
  public AutoPoolSpec autoOrDefault() {
    return auto == null ? new AutoPoolSpec() : auto;
  }

  public void setAuto(AutoPoolSpec auto) {
    this.auto = auto;
  }

  public Integer getPoolTimeoutSeconds() {
    return poolTimeoutSeconds == null ? DEFAULT_POOL_TIMEOUT_SECONDS : poolTimeoutSeconds;
  }

  public void setPoolTimeoutSeconds(Integer poolTimeoutSeconds) {
    this.poolTimeoutSeconds = poolTimeoutSeconds;
  }

  public Integer getConnectTimeoutSeconds() {
    return connectTimeoutSeconds == null ? DEFAULT_CONNECT_TIMEOUT_SECONDS : connectTimeoutSeconds;
  }

  public void setConnectTimeoutSeconds(Integer connectTimeoutSeconds) {
    this.connectTimeoutSeconds = connectTimeoutSeconds;
  }

  public Integer getSocketTimeoutSeconds() {
    return socketTimeoutSeconds;
  }

  public void setSocketTimeoutSeconds(Integer socketTimeoutSeconds) {
    this.socketTimeoutSeconds = socketTimeoutSeconds;
  }

  public String getSslMode() {
    return sslMode == null || sslMode.isBlank() ? DEFAULT_SSL_MODE : sslMode;
  }

  public void setSslMode(String sslMode) {
    this.sslMode = sslMode;
  }

  public Boolean getAllowWeakerSsl() {
    return allowWeakerSsl != null && allowWeakerSsl;
  }

  public void setAllowWeakerSsl(Boolean allowWeakerSsl) {
    this.allowWeakerSsl = allowWeakerSsl;
  }

  public String getApplicationName() {
    return applicationName;
  }

  public void setApplicationName(String applicationName) {
    this.applicationName = applicationName;
  }

  public Boolean getPgbouncer() {
    return pgbouncer != null && pgbouncer;
  }

  public void setPgbouncer(Boolean pgbouncer) {
    this.pgbouncer = pgbouncer;
  }
}
