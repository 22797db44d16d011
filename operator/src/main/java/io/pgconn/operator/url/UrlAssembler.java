package io.pgconn.operator.url;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Builds {@code scheme://[user[:password]@]hosts[/db][?k=v&...]} with every part encoded so the
 * target client decodes it back to the same text. Parameters come pre-sorted, which is what makes
 * output independent of the source's parameter order.
 */
final class UrlAssembler {

  private final String scheme;
  private String user;
  private String password;
  private String database;
  private List<HostPort> hosts = List.of();
  private String placeholderHost = "";
  private UnaryOperator<String> databaseEncoder = PercentCodec::encode;
  private final SortedMap<String, String> parameters = new TreeMap<>();

  UrlAssembler(String scheme) {
    this.scheme = scheme;
  }

  UrlAssembler credentials(String user, String password) {
    this.user = user;
    this.password = password;
    return this;
  }

  UrlAssembler database(String database, UnaryOperator<String> encoder) {
    this.database = database;
    this.databaseEncoder = encoder;
    return this;
  }

  /**
   * @param placeholder host written in the authority when the real hosts go to ?host= (Prisma's URL
   *     parser refuses credentials without a host; libpq and pgx let ?host= override it)
   */
  UrlAssembler hosts(List<HostPort> hosts, String placeholder) {
    this.hosts = hosts;
    this.placeholderHost = placeholder;
    return this;
  }

  UrlAssembler parameters(Map<String, String> more) {
    parameters.putAll(more);
    return this;
  }

  /**
   * Unix-socket directories and "default host" entries cannot be written in the authority portably
   * (Go's URL parser rejects %2F there), so then all hosts go to ?host=&port=, which libpq, pgx,
   * Prisma and node-postgres all read.
   */
  static boolean hostsNeedQuery(List<HostPort> hosts) {
    return hosts.stream().anyMatch(h -> h.isUnixSocket() || h.host().isEmpty());
  }

  String build() {
    StringBuilder out = new StringBuilder(scheme).append("://");
    if (user != null || password != null) {
      out.append(user == null ? "" : PercentCodec.encode(user));
      if (password != null) {
        out.append(':').append(PercentCodec.encode(password));
      }
      out.append('@');
    }
    SortedMap<String, String> query = new TreeMap<>(parameters);
    if (hostsNeedQuery(hosts)) {
      out.append(placeholderHost);
      query.put("host", String.join(",", hosts.stream().map(HostPort::host).toList()));
      if (hosts.stream().anyMatch(h -> h.port() != null)) {
        query.put(
            "port",
            String.join(
                ",",
                hosts.stream().map(h -> h.port() == null ? "" : h.port().toString()).toList()));
      }
    } else {
      appendAuthorityHosts(out, hosts);
    }
    if (database != null) {
      out.append('/').append(databaseEncoder.apply(database));
    }
    char separator = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      out.append(separator)
          .append(PercentCodec.encode(e.getKey()))
          .append('=')
          .append(PercentCodec.encode(e.getValue()));
      separator = '&';
    }
    return out.toString();
  }

  static void appendAuthorityHosts(StringBuilder out, List<HostPort> hosts) {
    for (int i = 0; i < hosts.size(); i++) {
      HostPort h = hosts.get(i);
      if (i > 0) {
        out.append(',');
      }
      // Zone ids ("fe80::1%eth0") need their '%' encoded even inside brackets.
      out.append(
          h.isIpv6() ? "[" + h.host().replace("%", "%25") + "]" : PercentCodec.encode(h.host()));
      if (h.port() != null) {
        out.append(':').append(h.port());
      }
    }
  }
}
