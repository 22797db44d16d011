package io.pgconn.operator.url;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * libpq's environment variables, one per setting, for apps that read PGHOST etc. instead of a URL.
 * Only variables with a value are written; several hosts are comma-joined as libpq allows. Each
 * name starts with the output's keyPrefix (empty by default): libpq reads only the bare names, so a
 * prefix is for apps that map them themselves, e.g. a second, direct connection's variables.
 */
final class EnvWriter {

  /** Every libpq connection keyword that has an environment variable (libpq docs, 34.15). */
  private static final Map<String, String> VARIABLES =
      Map.ofEntries(
          Map.entry("application_name", "PGAPPNAME"),
          Map.entry("connect_timeout", "PGCONNECT_TIMEOUT"),
          Map.entry("sslmode", "PGSSLMODE"),
          Map.entry("sslrootcert", "PGSSLROOTCERT"),
          Map.entry("sslcert", "PGSSLCERT"),
          Map.entry("sslkey", "PGSSLKEY"),
          Map.entry("sslcrl", "PGSSLCRL"),
          Map.entry("sslcrldir", "PGSSLCRLDIR"),
          Map.entry("sslsni", "PGSSLSNI"),
          Map.entry("sslcompression", "PGSSLCOMPRESSION"),
          Map.entry("sslnegotiation", "PGSSLNEGOTIATION"),
          Map.entry("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"),
          Map.entry("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"),
          Map.entry("options", "PGOPTIONS"),
          Map.entry("target_session_attrs", "PGTARGETSESSIONATTRS"),
          Map.entry("load_balance_hosts", "PGLOADBALANCEHOSTS"),
          Map.entry("client_encoding", "PGCLIENTENCODING"),
          Map.entry("service", "PGSERVICE"),
          Map.entry("passfile", "PGPASSFILE"),
          Map.entry("hostaddr", "PGHOSTADDR"),
          Map.entry("channel_binding", "PGCHANNELBINDING"),
          Map.entry("gssencmode", "PGGSSENCMODE"),
          Map.entry("gsslib", "PGGSSLIB"),
          Map.entry("gssdelegation", "PGGSSDELEGATION"),
          Map.entry("krbsrvname", "PGKRBSRVNAME"),
          Map.entry("require_auth", "PGREQUIREAUTH"),
          Map.entry("requirepeer", "PGREQUIREPEER"));

  /** The variables every connection has, written from the URL's parts rather than its settings. */
  private static final List<String> CONNECTION =
      List.of("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD");

  private EnvWriter() {}

  /** Every variable this writer may write, before the output's keyPrefix. */
  static List<String> variables() {
    List<String> all = new java.util.ArrayList<>(CONNECTION);
    all.addAll(new java.util.TreeSet<>(VARIABLES.values()));
    return List.copyOf(all);
  }

  static void write(
      ConnectionString cs,
      SortedMap<String, String> settings,
      OutputKeys names,
      SortedMap<String, String> entries,
      List<String> warnings) {
    List<HostPort> hosts = cs.hosts();
    if (hosts.stream().anyMatch(h -> !h.host().isEmpty())) {
      entries.put(
          names.derived("PGHOST"), String.join(",", hosts.stream().map(HostPort::host).toList()));
    }
    if (hosts.stream().anyMatch(h -> h.port() != null)) {
      entries.put(
          names.derived("PGPORT"),
          String.join(
              ",", hosts.stream().map(h -> h.port() == null ? "" : h.port().toString()).toList()));
    }
    putIfSet(entries, names.derived("PGDATABASE"), cs.database());
    putIfSet(entries, names.derived("PGUSER"), cs.user());
    putIfSet(entries, names.derived("PGPASSWORD"), cs.password());
    settings.forEach(
        (name, value) -> {
          String variable = VARIABLES.get(name);
          if (variable != null) {
            entries.put(names.derived(variable), value);
          } else {
            warnings.add(
                "dropped "
                    + ConnectionStringRenderer.describe(name)
                    + ": libpq has no environment variable for it");
          }
        });
  }

  private static void putIfSet(SortedMap<String, String> entries, String name, String value) {
    if (value != null) {
      entries.put(name, value);
    }
  }
}
