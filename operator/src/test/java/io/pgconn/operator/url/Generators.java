package io.pgconn.operator.url;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Shared jqwik generators: connection strings whose every part is hard to encode. */
final class Generators {

  static final String CANARY = "Canary-Pa55-ZQX";

  private Generators() {}

  /** Every printable ASCII character plus non-ASCII ones, including a surrogate pair. */
  static Arbitrary<String> text(int min, int max) {
    List<String> chars = new ArrayList<>();
    for (char c = ' '; c <= '~'; c++) {
      chars.add(String.valueOf(c));
    }
    chars.addAll(List.of("é", "ß", "€", "日本", "😀", "\u00a0", "Ж"));
    return Arbitraries.of(chars).list().ofMinSize(min).ofMaxSize(max).map(l -> String.join("", l));
  }

  static Arbitrary<String> hostName() {
    Arbitrary<String> label =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .numeric()
            .withChars('-')
            .ofMinLength(1)
            .ofMaxLength(10)
            .filter(s -> !s.startsWith("-") && !s.endsWith("-"));
    return label.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(".", l));
  }

  static Arbitrary<String> ipv4() {
    return Arbitraries.integers()
        .between(0, 255)
        .list()
        .ofSize(4)
        .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
  }

  static Arbitrary<String> ipv6() {
    return Arbitraries.oneOf(
        Arbitraries.of("::1", "2001:db8::1", "fe80::a:b:c:d", "2001:db8:0:0:0:0:0:ff"),
        Arbitraries.integers()
            .between(0, 0xffff)
            .list()
            .ofSize(8)
            .map(l -> String.join(":", l.stream().map(Integer::toHexString).toList())));
  }

  static Arbitrary<String> unixSocket() {
    return Arbitraries.of("/var/run/postgresql", "/tmp", "/cloudsql/proj:region:inst");
  }

  static Arbitrary<HostPort> tcpHost() {
    Arbitrary<Integer> port = Arbitraries.integers().between(1, 65535).injectNull(0.3);
    return Combinators.combine(Arbitraries.oneOf(hostName(), ipv4(), ipv6()), port)
        .as(HostPort::new);
  }

  static Arbitrary<HostPort> anyHost() {
    Arbitrary<Integer> port = Arbitraries.integers().between(1, 65535).injectNull(0.3);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, tcpHost()),
        net.jqwik.api.Tuple.of(1, Combinators.combine(unixSocket(), port).as(HostPort::new)));
  }

  /** Parameters every output keeps or drops deterministically; values need encoding. */
  static Arbitrary<Map<String, String>> parameters() {
    Arbitrary<Map.Entry<String, String>> entry =
        Arbitraries.oneOf(
            text(1, 12).map(v -> Map.entry("application_name", v)),
            Arbitraries.integers()
                .between(0, 60)
                .map(v -> Map.entry("connect_timeout", v.toString())),
            Arbitraries.of("disable", "prefer", "require").map(v -> Map.entry("sslmode", v)),
            Arbitraries.just(Map.entry("options", "-c statement_timeout=5000")),
            Arbitraries.of("any", "read-write").map(v -> Map.entry("target_session_attrs", v)),
            Arbitraries.integers()
                .between(1, 50)
                .map(v -> Map.entry("connection_limit", v.toString())),
            Arbitraries.integers().between(0, 30).map(v -> Map.entry("pool_timeout", v.toString())),
            Arbitraries.integers()
                .between(1, 30)
                .map(v -> Map.entry("socket_timeout", v.toString())),
            text(1, 8).map(v -> Map.entry("x_custom_setting", v)));
    return entry
        .list()
        .ofMaxSize(6)
        .map(
            entries -> {
              Map<String, String> m = new LinkedHashMap<>();
              entries.forEach(e -> m.put(e.getKey(), e.getValue()));
              return m;
            });
  }

  static Arbitrary<ConnectionString> connectionStrings(Arbitrary<List<HostPort>> hosts) {
    return Combinators.combine(
            hosts,
            text(1, 16).injectNull(0.1),
            text(1, 12).injectNull(0.1),
            text(0, 20).injectNull(0.1),
            parameters())
        .as(
            (h, db, user, password, params) ->
                new ConnectionString(SourceKind.URI, h, db, user, password, params, null));
  }

  static Arbitrary<ConnectionString> connectionStrings() {
    return connectionStrings(anyHost().list().ofMinSize(1).ofMaxSize(3));
  }

  static PoolSettings pool() {
    return new PoolSettings(7, 15, 4, 20, null, "judge", false);
  }
}
