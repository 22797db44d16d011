package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * A connection handed out as one Secret key per value. The defaults are the keys of CloudNativePG's
 * {@code <cluster>-app} Secret; an ExternalSecret or a Helm chart names its own.
 */
public class SourceFieldsSpec {

  static final String KEY_PATTERN = "^[-._a-zA-Z0-9]+$";

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Name of the Secret holding the values, in the policy's namespace (e.g. CloudNativePG's"
          + " <cluster>-app).")
  private String name;

  @Default("host")
  @Pattern(KEY_PATTERN)
  @JsonPropertyDescription(
      "Key holding the host: a DNS name, an IPv4 address or an IPv6 address (brackets"
          + " optional). Default host.")
  private String host = "host";

  @Default("port")
  @Pattern(KEY_PATTERN)
  @JsonPropertyDescription("Key holding the port (1-65535). Default port.")
  private String port = "port";

  @Default("dbname")
  @Pattern(KEY_PATTERN)
  @JsonPropertyDescription("Key holding the database name. Default dbname.")
  private String dbname = "dbname";

  @Default("user")
  @Pattern(KEY_PATTERN)
  @JsonPropertyDescription("Key holding the user (role) name. Default user.")
  private String user = "user";

  @Default("password")
  @Pattern(KEY_PATTERN)
  @JsonPropertyDescription(
      "Key holding the password, taken byte for byte (any character; it is percent-encoded"
          + " wherever a URL carries it). Default password.")
  private String password = "password";

  @Pattern(KEY_PATTERN)
  @JsonPropertyDescription(
      "Optional key holding the source's sslmode (disable ... verify-full). Unset: only"
          + " spec.pool.sslMode decides.")
  private String sslmode;

  @Pattern(KEY_PATTERN)
  @JsonPropertyDescription(
      "Optional key holding libpq's options (e.g. -c search_path=app), passed to every output"
          + " that carries options.")
  private String options;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getHost() {
    return orDefault(host, "host");
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getPort() {
    return orDefault(port, "port");
  }

  public void setPort(String port) {
    this.port = port;
  }

  public String getDbname() {
    return orDefault(dbname, "dbname");
  }

  public void setDbname(String dbname) {
    this.dbname = dbname;
  }

  public String getUser() {
    return orDefault(user, "user");
  }

  public void setUser(String user) {
    this.user = user;
  }

  public String getPassword() {
    return orDefault(password, "password");
  }

  public void setPassword(String password) {
    this.password = password;
  }

  public String getSslmode() {
    return sslmode;
  }

  public void setSslmode(String sslmode) {
    this.sslmode = sslmode;
  }

  public String getOptions() {
    return options;
  }

  public void setOptions(String options) {
    this.options = options;
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
