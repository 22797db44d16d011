package io.pgconn.operator.quickstart;

/** One quick start: starts what it needs, applies the example, prints the outcome; close stops. */
public interface QuickstartRun extends AutoCloseable {

  void run();

  @Override
  void close();
}
