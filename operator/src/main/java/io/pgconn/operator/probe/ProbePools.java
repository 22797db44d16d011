package io.pgconn.operator.probe;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * At most one HikariCP pool of at most one connection per server (endpoint list), so that the
 * operator holds one connection on a server at a time however many policies, roles and databases
 * probe it, and nothing stays open once probing stops: a pool unused for {@link
 * ProbeSettings#idleTimeout()} is closed (its connection with it) by a sweeper that runs every
 * second, and HikariCP's own idleTimeout is set to the same value.
 *
 * <p>Probes of policies that name the same database, role and credentials reuse the connection; a
 * probe that names others closes it first and logs in anew (the server may list the closed backend
 * for the few milliseconds it takes to exit). One role per service on a shared server thus costs a
 * login per probe, not a slot per role from every tenant's budget (the budget counts one probe
 * connection per server: {@link #connectionOf}).
 *
 * <p>Failures are never retried: HikariCP retries a failing connection attempt with backoff for as
 * long as a caller waits, which for a wrong password means repeated failed logins. Here the first
 * failed attempt is handed to the waiting probe at once, later attempts within the same probe are
 * refused without touching the network, and the pool is closed.
 *
 * <p>A new password for the same server, database, user and sslmode closes the pool that used the
 * old one, as other credentials do.
 */
public final class ProbePools implements AutoCloseable {

  public static final String APPLICATION_NAME = "pgconn-operator-probe";

  private static final long SWEEP_PERIOD_MS = 1000;
  private static final AtomicInteger POOL_NUMBERS = new AtomicInteger();

  /** Where a pool connects, less the credentials: a new password for one of these is a new key. */
  record Identity(
      List<ProbeTarget.Endpoint> endpoints, String database, String user, String sslMode) {}

  /** The pool key; the credentials appear only as a salted hash and never in toString. */
  record Key(Identity identity, String credentialsHash) {
    @Override
    public String toString() {
      return "Key" + identity;
    }
  }

  private final ProbeSettings settings;
  private final CredentialsFingerprint fingerprint = new CredentialsFingerprint();
  private final Map<List<ProbeTarget.Endpoint>, Pool> pools = new LinkedHashMap<>();

  /** Held for the whole of a probe's use of a server, so its one connection is the only one. */
  private final Map<List<ProbeTarget.Endpoint>, ReentrantLock> servers = new HashMap<>();

  private final ScheduledExecutorService sweeper;
  private final ExecutorService waiters;
  private boolean closed;

  public ProbePools(ProbeSettings settings) {
    this.settings = settings;
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> ProbeThreads.daemon(r, "pgconn-probe-sweeper"));
    this.waiters = Executors.newCachedThreadPool(r -> ProbeThreads.daemon(r, "pgconn-probe-wait"));
    sweeper.scheduleWithFixedDelay(
        this::sweep, SWEEP_PERIOD_MS, SWEEP_PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** Something to do with a probe connection; the connection goes back to the pool afterwards. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on the target's pooled connection (opening it if needed, after closing the
   * server's connection for other credentials). Probes of the same server run one at a time.
   *
   * @throws SQLException the driver's own exception when connecting failed (never HikariCP's
   *     wrapper), or whatever {@code work} threw
   */
  public <T> T use(ProbeTarget target, Work<T> work) throws SQLException {
    ReentrantLock server = serverLock(target.endpoints());
    server.lock();
    try {
      return useAlone(target, work);
    } finally {
      server.unlock();
    }
  }

  private synchronized ReentrantLock serverLock(List<ProbeTarget.Endpoint> endpoints) {
    return servers.computeIfAbsent(endpoints, e -> new ReentrantLock());
  }

  private <T> T useAlone(ProbeTarget target, Work<T> work) throws SQLException {
    Pool pool = poolFor(target);
    pool.lock.lock();
    while (pool.closed) {
      // Swept or released between lookup and lock: take the pool that replaces it.
      pool.lock.unlock();
      pool = poolFor(target);
      pool.lock.lock();
    }
    try {
      Connection connection;
      try {
        connection = pool.acquire();
      } catch (SQLException e) {
        remove(pool);
        pool.close();
        throw e;
      }
      try (connection) {
        return work.apply(connection);
      }
    } finally {
      pool.lastUsedNanos = System.nanoTime();
      pool.lock.unlock();
    }
  }

  /** Closes the pool for this target's server, database, user and sslmode, if there is one. */
  public void release(ProbeTarget target) {
    Pool pool;
    synchronized (this) {
      pool = pools.get(target.endpoints());
      if (pool == null || !pool.key.identity().equals(identity(target))) {
        return;
      }
      pools.remove(target.endpoints());
    }
    pool.closeWhenIdle();
  }

  /** Closes every pool; later probes open new ones. */
  public void closeAll() {
    List<Pool> all;
    synchronized (this) {
      all = new ArrayList<>(pools.values());
      pools.clear();
    }
    all.forEach(Pool::closeWhenIdle);
  }

  /** Number of open pools, for tests and metrics. */
  public synchronized int size() {
    return pools.size();
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    closeAll();
    sweeper.shutdownNow();
    waiters.shutdownNow();
  }

  private Pool poolFor(ProbeTarget target) {
    Identity identity = identity(target);
    // A new CA bundle replaces the pool as a new password does: its connection was verified
    // against the old one.
    Key key = new Key(identity, fingerprint.of(target.password(), target.caCertificates()));
    Pool stale = null;
    Pool pool;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("probe pools are closed");
      }
      pool = pools.get(target.endpoints());
      if (pool != null && !pool.key.equals(key)) {
        // Other credentials, or another role or database: one connection per server, so the old
        // one goes first (the caller holds the server's lock, so it is idle).
        stale = pool;
        pool = null;
      }
      if (pool == null) {
        pool = new Pool(key, target);
        pools.put(target.endpoints(), pool);
      }
    }
    if (stale != null) {
      stale.closeWhenIdle();
    }
    return pool;
  }

  private synchronized void remove(Pool pool) {
    pools.remove(pool.key.identity().endpoints(), pool);
  }

  private void sweep() {
    long now = System.nanoTime();
    long idleNanos = settings.idleTimeout().toNanos();
    List<Pool> idle = new ArrayList<>();
    synchronized (this) {
      pools
          .values()
          .removeIf(
              p -> {
                boolean expired = !p.lock.isLocked() && now - p.lastUsedNanos > idleNanos;
                if (expired) {
                  idle.add(p);
                }
                return expired;
              });
    }
    idle.forEach(Pool::closeWhenIdle);
  }

  /**
   * The connection probes of {@code target} hold while a pool is open, as text without the
   * credentials: the server's endpoints, since targets on one server take turns on one connection
   * whatever their role, database or password.
   */
  public static String connectionOf(ProbeTarget target) {
    return target.endpoints().toString();
  }

  private static Identity identity(ProbeTarget target) {
    return new Identity(target.endpoints(), target.database(), target.user(), target.sslMode());
  }

  /** One HikariCP pool and the data source that lets a failed attempt end the probe at once. */
  private final class Pool {
    final Key key;
    final ReentrantLock lock = new ReentrantLock();
    final GatedDataSource source;
    final HikariDataSource hikari;
    final long waitMillis;
    volatile long lastUsedNanos = System.nanoTime();
    volatile boolean closed;

    Pool(Key key, ProbeTarget target) {
      this.key = key;
      this.source =
          new GatedDataSource(ServerProbe.jdbcUrl(target), ServerProbe.properties(target));
      long connectMillis = TimeUnit.SECONDS.toMillis(Math.max(1, target.connectTimeoutSeconds()));
      HikariConfig config = new HikariConfig();
      config.setPoolName("pgconn-probe-" + POOL_NUMBERS.incrementAndGet());
      config.setDataSource(source);
      config.setMaximumPoolSize(1);
      config.setMinimumIdle(0);
      config.setIdleTimeout(settings.idleTimeout().toMillis());
      // idleTimeout within 1 s of maxLifetime makes HikariCP disable it: keep them apart.
      config.setMaxLifetime(
          Math.max(TimeUnit.MINUTES.toMillis(30), settings.idleTimeout().toMillis() * 2));
      // pgjdbc's own connect/login timeouts end an attempt first, so its exception is what we see.
      config.setConnectionTimeout(connectMillis + 5_000);
      config.setValidationTimeout(Math.min(5_000, connectMillis + 1_000));
      config.setInitializationFailTimeout(-1);
      config.setRegisterMbeans(false);
      this.hikari = new HikariDataSource(config);
      this.waitMillis = connectMillis + 6_000;
    }

    Connection acquire() throws SQLException {
      source.arm();
      CompletableFuture<Connection> borrowed =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return hikari.getConnection();
                } catch (SQLException e) {
                  throw new CompletionException(e);
                }
              },
              waiters);
      try {
        CompletableFuture.anyOf(borrowed, source.failure).get(waitMillis, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException ignored) {
        // sorted out below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        borrowed.thenAccept(ProbePools::closeQuietly);
        throw new SQLException("interrupted while connecting", "08001", e);
      }
      if (borrowed.isDone() && !borrowed.isCompletedExceptionally()) {
        return borrowed.join();
      }
      // Should the borrow still succeed later, give the connection back.
      borrowed.thenAccept(ProbePools::closeQuietly);
      SQLException failure = source.failure.getNow(null);
      if (failure != null) {
        throw failure;
      }
      if (borrowed.isCompletedExceptionally()) {
        Throwable cause =
            borrowed.handle((c, t) -> t instanceof CompletionException ? t.getCause() : t).join();
        if (cause instanceof SQLException sql) {
          throw sql;
        }
        throw new SQLException("connecting failed", "08001", cause);
      }
      throw new SQLTransientConnectionException("Connection attempt timed out.", "08001");
    }

    void closeWhenIdle() {
      lock.lock();
      try {
        close();
      } finally {
        lock.unlock();
      }
    }

    void close() {
      closed = true;
      source.shut();
      hikari.close();
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // returning a connection to a closed pool
    }
  }

  /**
   * pgjdbc behind a gate: the first failed attempt of a probe is published to the waiting probe and
   * every later attempt in the same probe fails at once, so HikariCP's retries never reach the
   * server.
   */
  private static final class GatedDataSource implements DataSource {
    private final String url;
    private final Properties properties;
    private final Driver driver = new Driver();
    private volatile CompletableFuture<SQLException> failure = new CompletableFuture<>();
    private volatile boolean shut;

    GatedDataSource(String url, Properties properties) {
      this.url = url;
      this.properties = properties;
    }

    void arm() {
      failure = new CompletableFuture<>();
    }

    void shut() {
      shut = true;
    }

    @Override
    public Connection getConnection() throws SQLException {
      CompletableFuture<SQLException> current = failure;
      if (shut || current.isDone()) {
        throw new SQLException("probe pool: not retrying within one probe", "08001");
      }
      try {
        Connection c = driver.connect(url, properties);
        if (c == null) {
          throw new SQLException("pgjdbc refused the address", "08001");
        }
        return c;
      } catch (SQLException e) {
        current.complete(e);
        throw e;
      }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("credentials are fixed per pool");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
