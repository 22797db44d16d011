package io.pgconn.operator.budget;

import java.util.Objects;

/**
 * A set of connections the server counts against one limit: the whole server (max_connections), one
 * role (rolconnlimit) or one database (datconnlimit) on it.
 */
public record LimitScope(ServerKey server, Kind kind, String name)
    implements Comparable<LimitScope> {

  /** In the order the explanation prefers them: the server first. */
  public enum Kind {
    SERVER,
    ROLE,
    DATABASE
  }

  public static LimitScope server(ServerKey server) {
    return new LimitScope(server, Kind.SERVER, "");
  }

  public static LimitScope role(ServerKey server, String user) {
    return new LimitScope(server, Kind.ROLE, user);
  }

  public static LimitScope database(ServerKey server, String database) {
    return new LimitScope(server, Kind.DATABASE, database);
  }

  // Written out: C1, the image's only compiler, runs a record's generated equals and hashCode
  // through method handles it does not inline, and a division looks scopes up in hash maps for
  // every policy. RecordEqualityTest holds them to the components.
  @Override
  public boolean equals(Object o) {
    return o instanceof LimitScope t
        && kind == t.kind
        && Objects.equals(name, t.name)
        && Objects.equals(server, t.server);
  }

  @Override
  public int hashCode() {
    return (Objects.hashCode(server) * 31 + Objects.hashCode(kind)) * 31 + Objects.hashCode(name);
  }

  @Override
  public int compareTo(LimitScope other) {
    int c = server.compareTo(other.server);
    if (c != 0) return c;
    c = kind.compareTo(other.kind);
    return c != 0 ? c : name.compareTo(other.name);
  }

  /** As written in explanations: {@code server}, {@code role "app"}, {@code database "shop"}. */
  public String label() {
    return switch (kind) {
      case SERVER -> "server";
      case ROLE -> name.isEmpty() ? "role" : "role \"" + name + "\"";
      case DATABASE -> name.isEmpty() ? "database" : "database \"" + name + "\"";
    };
  }
}
