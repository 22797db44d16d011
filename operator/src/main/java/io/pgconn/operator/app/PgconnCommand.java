package io.pgconn.operator.app;

public class PgconnCommand {
  public static void main(String[] args) {}
}
