package io.pgconn.operator.url;

import io.pgconn.operator.url.InvalidConnectionStringException.Reason;
import io.pgconn.operator.url.RawConnectionString.Located;
import io.pgconn.operator.url.RawConnectionString.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads every connection-string form the operator accepts as a source. */
public final class ConnectionStringParser {

  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):");
  private static final Set<String> URI_STRUCTURAL =
      Set.of("host", "port", "dbname", "user", "password");
  private static final Set<String> JDBC_STRUCTURAL = Set.of("user", "password");

  private ConnectionStringParser() {}

  /**
   * @throws InvalidConnectionStringException for anything that is not a usable connection string;
   *     nothing else escapes, whatever the input
   */
  public static ConnectionString parse(String input) throws InvalidConnectionStringException {
    try {
      return parseUnguarded(input);
    } catch (RuntimeException bug) {
      // A reader bug must still not surface as an exception whose message may quote the input.
      throw new InvalidConnectionStringException(
          Reason.MALFORMED,
          -1,
          "connection string could not be read",
          "check it against the libpq URI syntax");
    }
  }

  /** The parser without the safety net, so tests can see reader bugs instead of MALFORMED. */
  static ConnectionString parseUnguarded(String input) throws InvalidConnectionStringException {
    if (input == null || input.isBlank()) {
      throw new InvalidConnectionStringException(
          Reason.EMPTY,
          -1,
          "connection string is empty",
          "copy the full URL, e.g. postgresql://user:password@host:5432/database");
    }
    int start = 0;
    while (Character.isWhitespace(input.charAt(start))) {
      start++;
    }
    int end = input.length();
    while (Character.isWhitespace(input.charAt(end - 1))) {
      end--;
    }
    Matcher scheme = SCHEME.matcher(input).region(start, end);
    if (!scheme.lookingAt()) {
      if (input.indexOf('=', start) < 0) {
        throw new InvalidConnectionStringException(
            Reason.MALFORMED,
            start,
            "neither a URL nor keyword=value pairs",
            "write postgresql://user:password@host:5432/database or host=... dbname=...");
      }
      // Trailing whitespace may be an escaped space in a bare value, so read to the very end.
      return finish(new KeywordValueReader(input, start, input.length()).read());
    }
    String name = scheme.group(1).toLowerCase(Locale.ROOT);
    int afterColon = scheme.end();
    switch (name) {
      case "postgresql", "postgres" -> {
        return finish(new UriReader(input, afterColon, end, SourceKind.URI).read());
      }
      case "prisma", "prisma+postgres" -> {
        return accelerate(input.substring(start, end), afterColon - start);
      }
      case "jdbc" -> {
        String rest = input.substring(afterColon, end).toLowerCase(Locale.ROOT);
        if (rest.startsWith("postgresql:")) {
          int after = afterColon + "postgresql:".length();
          return finish(new UriReader(input, after, end, SourceKind.JDBC).read());
        }
        throw new InvalidConnectionStringException(
            Reason.UNKNOWN_SCHEME,
            afterColon,
            "JDBC URL for a database other than PostgreSQL",
            "use jdbc:postgresql://host:5432/database");
      }
      default ->
          throw new InvalidConnectionStringException(
              Reason.UNKNOWN_SCHEME,
              start,
              "unknown scheme (not a PostgreSQL URL)",
              "use postgresql://, postgres://, jdbc:postgresql://, prisma:// or prisma+postgres://");
    }
  }

  private static ConnectionString accelerate(String url, int afterColon)
      throws InvalidConnectionStringException {
    if (!url.startsWith("//", afterColon) || url.length() == afterColon + 2) {
      throw new InvalidConnectionStringException(
          Reason.MALFORMED,
          afterColon,
          "Prisma Accelerate URL without a host",
          "copy the full prisma://... URL from the console");
    }
    PercentCodec.checkNoNul(url, 0);
    return new ConnectionString(
        SourceKind.PRISMA_ACCELERATE, List.of(), null, null, null, Map.of(), url);
  }

  /** The rules every form shares: checks, structural keywords, ssl=true, host/port pairing. */
  private static ConnectionString finish(RawConnectionString raw)
      throws InvalidConnectionStringException {
    Set<String> structural = raw.kind == SourceKind.JDBC ? JDBC_STRUCTURAL : URI_STRUCTURAL;
    List<Located> hosts = raw.hosts;
    List<Located> ports = raw.ports;
    String user = raw.user;
    String password = raw.password;
    String database = raw.database;
    int userPosition = raw.userPosition;
    int databasePosition = raw.databasePosition;
    Map<String, String> parameters = new LinkedHashMap<>();
    for (Parameter p : raw.parameters.values()) {
      check(p);
      switch (structural.contains(p.name()) ? p.name() : "") {
        case "host" -> hosts = split(p);
        case "port" -> ports = split(p);
        case "dbname" -> {
          database = p.value();
          databasePosition = p.valuePosition();
        }
        case "user" -> {
          user = p.value();
          userPosition = p.valuePosition();
        }
        case "password" -> password = p.value();
        default -> parameters.put(p.name(), p.value());
      }
    }
    NameSyntax.checkName(user, userPosition, "user name");
    NameSyntax.checkName(database, databasePosition, "database name");
    for (Located host : hosts) {
      NameSyntax.checkHost(host.text(), host.position());
    }
    applySsl(parameters, raw.kind, raw.parameters.get("ssl"));
    String sslmode = parameters.get("sslmode");
    if (sslmode != null) {
      // One spelling for all later rules: node-postgres' no-verify is libpq's require.
      parameters.put("sslmode", SslMode.parse(sslmode).wire());
    }
    return new ConnectionString(
        raw.kind, pair(hosts, ports), database, user, password, parameters, null);
  }

  private static void check(Parameter p) throws InvalidConnectionStringException {
    String suggestion = KnownParameters.suggestionFor(p.name());
    if (suggestion != null) {
      // Quoting the name is safe: it is within two edits of a public parameter name.
      throw new InvalidConnectionStringException(
          Reason.MISSPELLED_PARAMETER,
          p.namePosition(),
          "unknown parameter '" + p.name() + "'",
          "did you mean '"
              + suggestion
              + "'? Prisma silently ignores unknown parameters, so the setting would not apply");
    }
    String expected = KnownParameters.problemWithValue(p.name(), p.value());
    if (expected != null) {
      throw new InvalidConnectionStringException(
          Reason.BAD_PARAMETER_VALUE,
          p.valuePosition(),
          "invalid value for parameter '" + p.name() + "'",
          expected);
    }
  }

  /**
   * libpq reads ssl=true as sslmode=require; pgjdbc reads a bare ssl (any value but false) as
   * verify-full. An explicit sslmode wins in both.
   */
  private static void applySsl(Map<String, String> parameters, SourceKind kind, Parameter ssl)
      throws InvalidConnectionStringException {
    if (ssl == null) {
      return;
    }
    parameters.remove("ssl");
    if (kind == SourceKind.JDBC) {
      if (!ssl.value().equalsIgnoreCase("false")) {
        parameters.putIfAbsent("sslmode", SslMode.VERIFY_FULL.wire());
      }
    } else if (ssl.value().equals("true")) {
      parameters.putIfAbsent("sslmode", SslMode.REQUIRE.wire());
    } else {
      throw new InvalidConnectionStringException(
          Reason.BAD_PARAMETER_VALUE,
          ssl.valuePosition(),
          "invalid value for parameter 'ssl'",
          "libpq accepts only ssl=true; use sslmode=disable" + " to turn TLS off");
    }
  }

  /** Comma lists as libpq allows in host= and port=, with approximate positions per item. */
  private static List<Located> split(Parameter p) {
    List<Located> items = new ArrayList<>();
    int offset = 0;
    for (String item : p.value().split(",", -1)) {
      items.add(new Located(item, p.valuePosition() + offset));
      offset += item.length() + 1;
    }
    return items;
  }

  /** libpq's rule: one port for all hosts, or one per host; an empty entry means the default. */
  private static List<HostPort> pair(List<Located> hosts, List<Located> ports)
      throws InvalidConnectionStringException {
    List<Located> h = hosts.isEmpty() ? List.of(new Located("", 0)) : hosts;
    if (ports.size() > 1 && ports.size() != h.size()) {
      throw new InvalidConnectionStringException(
          Reason.HOST_PORT_MISMATCH,
          ports.get(0).position(),
          ports.size() + " ports for " + h.size() + " hosts",
          "give one port for all hosts or exactly one per host");
    }
    List<HostPort> result = new ArrayList<>();
    for (int i = 0; i < h.size(); i++) {
      Located port = ports.isEmpty() ? null : ports.get(ports.size() == 1 ? 0 : i);
      result.add(new HostPort(h.get(i).text(), port == null ? null : port(port)));
    }
    if (result.size() == 1 && result.get(0).host().isEmpty() && result.get(0).port() == null) {
      return List.of();
    }
    return result;
  }

  private static Integer port(Located port) throws InvalidConnectionStringException {
    String text = port.text();
    if (text.isEmpty()) {
      return null;
    }
    boolean digits = text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9');
    int value = digits ? Integer.parseInt(text) : -1;
    if (value < 1 || value > 65535) {
      throw new InvalidConnectionStringException(
          Reason.BAD_PORT,
          port.position(),
          digits ? "port out of range" : "port is not a number",
          "use a port between 1 and 65535; percent-encode ':' in a password as %3A");
    }
    return value;
  }
}
