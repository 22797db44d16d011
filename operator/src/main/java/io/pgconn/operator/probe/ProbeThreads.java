package io.pgconn.operator.probe;

/** The probe's threads are daemons: they never keep the JVM alive. */
final class ProbeThreads {

  private ProbeThreads() {}

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
