package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The dialects a user can ask for, spelled as users write them in YAML. */
public enum OutputFormatName {
  prisma,
  libpq,
  jdbc,
  pgx,
  @JsonProperty("node-postgres")
  node_postgres,
  /** Prisma 7 with @prisma/adapter-pg: the pool comes from node-postgres' options. */
  @JsonProperty("prisma-adapter-pg")
  prisma_adapter_pg,
  env;

  /** The spelling users write, also understood by the url engine's parser. */
  public String wireName() {
    return name().replace('_', '-');
  }
}
