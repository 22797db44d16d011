package io.pgconn.operator.url;

import java.util.Map;
import java.util.TreeMap;

/**
 * A connection handed out as separate values rather than one URL: CloudNativePG's {@code
 * <cluster>-app} Secret (host, port, dbname, user, password), the JSON of an RDS-managed secret,
 * the keys an ExternalSecret or a Helm chart writes. {@link #toUrl()} builds the libpq URI that
 * means exactly these values, whatever characters they hold: user, password and database name are
 * percent-encoded, an IPv6 host is bracketed, a Unix-socket directory goes to {@code ?host=}.
 *
 * <p>Host, port and sslmode are trimmed (a value written with {@code echo} ends in a newline);
 * user, password, database name and options are taken byte for byte. {@link #toString()} never
 * shows the password.
 *
 * @param host a DNS name, an IPv4 address, an IPv6 address (brackets optional) or a Unix-socket
 *     directory
 * @param port 1..65535 as text, or null for the default (5432)
 * @param database null or empty: the client's default (the user's name)
 * @param user null: the client's default
 * @param password null: none in the URL
 * @param sslmode null: none in the URL (the policy's spec.pool.sslMode then decides)
 * @param options libpq's options (e.g. {@code -c search_path=app}), or null
 */
public record ConnectionFields(
    String host,
    String port,
    String database,
    String user,
    String password,
    String sslmode,
    String options) {

  /** Which value was refused, so the caller can name the Secret key it came from. */
  public enum Field {
    HOST,
    PORT,
    DBNAME,
    USER,
    PASSWORD,
    SSLMODE,
    OPTIONS
  }

  /** A value no client could use; the message names the field but never quotes a value. */
  public static final class InvalidFieldException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Field field;

    InvalidFieldException(Field field, String what, String fix) {
      super(what + ": " + fix, null, false, false);
      this.field = field;
    }

    public Field field() {
      return field;
    }
  }

  /**
   * The libpq URI ({@code postgresql://...}) that every client's parser reads back as these values.
   *
   * @throws InvalidFieldException for a value that no URL can carry or no client would accept
   */
  public String toUrl() throws InvalidFieldException {
    HostPort server = new HostPort(checkedHost(), checkedPort());
    String db = database == null || database.isEmpty() ? null : database;
    checkName(Field.USER, user, "user name");
    checkName(Field.DBNAME, db, "database name");
    checkNoNul(Field.PASSWORD, password, "password");
    checkNoNul(Field.OPTIONS, options, "options");
    Map<String, String> parameters = new TreeMap<>();
    if (sslmode != null && !sslmode.isBlank()) {
      try {
        parameters.put("sslmode", SslMode.parse(sslmode.strip()).wire());
      } catch (IllegalArgumentException e) {
        throw new InvalidFieldException(
            Field.SSLMODE,
            "sslmode is not one of disable, allow, prefer, require, verify-ca, verify-full",
            "write one of these (node-postgres' no-verify is read as require)");
      }
    }
    if (options != null && !options.isEmpty()) {
      parameters.put("options", options);
    }
    return new UrlAssembler("postgresql")
        .credentials(user, password)
        .hosts(java.util.List.of(server), "")
        .database(db, PercentCodec::encode)
        .parameters(parameters)
        .build();
  }

  /**
   * The parsed connection string, as if the URL of {@link #toUrl()} had been the source.
   *
   * @throws InvalidFieldException for a value no client could use
   * @throws InvalidConnectionStringException when the URL is refused by the parser's own rules (a
   *     value the field checks let through, e.g. an options value a client would misread); its
   *     message quotes nothing
   */
  public ConnectionString toConnectionString()
      throws InvalidFieldException, InvalidConnectionStringException {
    return ConnectionStringParser.parse(toUrl());
  }

  private String checkedHost() throws InvalidFieldException {
    String h = host == null ? "" : host.strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.isEmpty()) {
      throw new InvalidFieldException(
          Field.HOST, "host is empty", "set the host name or IP address of the server");
    }
    try {
      NameSyntax.checkHost(h, -1);
    } catch (InvalidConnectionStringException e) {
      throw new InvalidFieldException(
          Field.HOST,
          "host contains a character no host name or IP address has",
          "write a DNS name (letters, digits, '-', '_', '.'), an IPv4 address, an IPv6 address or"
              + " a Unix-socket directory; one host only");
    }
    return h;
  }

  private Integer checkedPort() throws InvalidFieldException {
    if (port == null || port.isBlank()) {
      return null;
    }
    String p = port.strip();
    boolean digits = p.length() <= 5 && p.chars().allMatch(c -> c >= '0' && c <= '9');
    int value = digits ? Integer.parseInt(p) : -1;
    if (value < 1 || value > 65535) {
      throw new InvalidFieldException(
          Field.PORT,
          digits ? "port out of range" : "port is not a number",
          "use a port between 1 and 65535 (PostgreSQL's default is 5432)");
    }
    return value;
  }

  private static void checkName(Field field, String name, String what)
      throws InvalidFieldException {
    checkNoNul(field, name, what);
    try {
      NameSyntax.checkName(name, -1, what);
    } catch (InvalidConnectionStringException e) {
      throw new InvalidFieldException(
          field,
          "control character (such as CR, LF or TAB) in the " + what,
          "remove it (a value written with echo ends in a newline: use echo -n or printf)");
    }
  }

  private static void checkNoNul(Field field, String value, String what)
      throws InvalidFieldException {
    if (value != null && value.indexOf('\0') >= 0) {
      throw new InvalidFieldException(
          field,
          "NUL character in the " + what,
          "libpq ends strings at NUL, so no PostgreSQL client can use it; remove it");
    }
  }

  @Override
  public String toString() {
    return "ConnectionFields[host="
        + host
        + ", port="
        + port
        + ", database="
        + database
        + ", user="
        + user
        + ", password="
        + (password == null ? "null" : ConnectionString.MASK)
        + ", sslmode="
        + sslmode
        + ", options="
        + options
        + "]";
  }
}
