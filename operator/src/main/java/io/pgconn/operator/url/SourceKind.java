package io.pgconn.operator.url;

/** Which dialect a connection string was written in; decides how it is read back. */
public enum SourceKind {
  /** libpq URI: {@code postgresql://} or {@code postgres://}. */
  URI,
  /** libpq keyword/value string: {@code host=h port=5432 dbname=d}. */
  KEYWORD_VALUE,
  /** pgjdbc URL: {@code jdbc:postgresql://}. */
  JDBC,
  /** {@code prisma://} or {@code prisma+postgres://}: an Accelerate endpoint, not a database. */
  PRISMA_ACCELERATE
}
