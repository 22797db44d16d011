package io.pgconn.operator.testenv;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (16 or 17) for tests, run from Zonky's binary archives without Zonky's
 * {@code EmbeddedPostgres}.
 *
 * <p>The archive {@code <pgconn.pg.binaries>/<major>/postgres-linux-x86_64.txz} (unpacked there by
 * the operator pom) is extracted once per archive content into {@code
 * <pgconn.pg.workdir>/bin/<major>-<sha256 prefix>} (default workdir: {@code
 * ${java.io.tmpdir}/pgconn-postgres}); extraction goes to a temporary directory that is then
 * renamed atomically, so concurrent JVMs are safe. Each instance gets its own directory under
 * {@code <workdir>/run/} with {@code data/}, {@code sock/} and {@code postgres.log}.
 *
 * <p>initdb and postgres refuse to run as root. When this JVM is root, every PostgreSQL process
 * (initdb, openssl for the certificate, postgres, pg_ctl) runs as {@code nobody:nogroup} through
 * {@code setpriv --reuid --regid --clear-groups}, and the instance directory is owned by that user.
 * Otherwise they run as the current user.
 *
 * <p>TCP ({@code host} lines, 127.0.0.1 only) authenticates with scram-sha-256, the unix socket
 * with trust. The superuser is {@value #SUPERUSER}.
 */
public final class LocalPostgres implements AutoCloseable {

  public static final String SUPERUSER = "postgres";
  public static final String HOST = "127.0.0.1";

  private static final String ARCHIVE_NAME = "postgres-linux-x86_64.txz";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
  private static final long POLL_MILLIS = 25;
  private static final int MAX_SOCKET_PATH = 100; // sun_path is 108 bytes, minus ".s.PGSQL.nnnnn"

  /** Serializes the one-time extraction within this JVM; other JVMs are handled by rename. */
  private static final Object EXTRACT_LOCK = new Object();

  private final int version;
  private final String password;
  private final Map<String, String> settings;
  private final ServerUser serverUser; // null: run as the current user
  private final Path installDir;
  private final Path instanceDir;
  private final Path dataDir;
  private final Path socketDir;
  private final Path logFile;

  private int port;
  private Process process;
  private Thread shutdownHook;
  private boolean closed;

  private LocalPostgres(Builder b) {
    this.version = b.version;
    this.password = b.superuserPassword;
    this.serverUser = ServerUser.forCurrentProcess();
    Path workDir = workDir();
    this.installDir = install(version, workDir, serverUser);
    try {
      Path runDir = createSharedDir(workDir.resolve("run"));
      this.instanceDir = Files.createTempDirectory(runDir, "pg" + version + "-");
      this.dataDir = instanceDir.resolve("data");
      this.socketDir = instanceDir.resolve("sock");
      this.logFile = instanceDir.resolve("postgres.log");
      if (socketDir.toString().length() > MAX_SOCKET_PATH) {
        throw new IllegalStateException(
            "socket directory path too long for a unix socket: "
                + socketDir
                + " (set -Dpgconn.pg.workdir to a shorter path)");
      }
      Files.createDirectory(socketDir);
      Files.createFile(logFile);
      setMode(socketDir, "rwx------");
      setMode(logFile, "rw-------");
      if (serverUser != null) {
        serverUser.chown(instanceDir);
        serverUser.chown(socketDir);
        serverUser.chown(logFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare instance directory", e);
    }

    Map<String, String> s = new LinkedHashMap<>();
    s.put("listen_addresses", HOST);
    s.put("unix_socket_directories", socketDir.toString());
    s.put("fsync", "off");
    s.put("full_page_writes", "off");
    s.put("synchronous_commit", "off");
    s.put("shared_buffers", "32MB");
    s.put("max_wal_size", "64MB");
    s.put("logging_collector", "off");
    s.put("ssl", b.ssl ? "on" : "off");
    if (b.ssl) {
      s.put("ssl_cert_file", "server.crt");
      s.put("ssl_key_file", "server.key");
    }
    s.putAll(b.settings); // later wins: explicit settings override the defaults above
    this.settings = Map.copyOf(s);

    try {
      initdb(s, b.ssl);
    } catch (RuntimeException e) {
      deleteQuietly();
      throw e;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors and URLs

  public int version() {
    return version;
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  public Path socketDir() {
    return socketDir;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return logFile;
  }

  public String superuserPassword() {
    return password;
  }

  /** The effective postgresql.conf settings written by this harness (defaults plus builder's). */
  public Map<String, String> settings() {
    return settings;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** {@code postgresql://postgres:<pw>@127.0.0.1:<port>/postgres}, percent-encoded. */
  public String superuserUrl() {
    return url(SUPERUSER, password, "postgres");
  }

  /**
   * A libpq connection URI for TCP on 127.0.0.1; user, password and database are percent-encoded
   * (everything but RFC 3986 unreserved characters). A null password is left out.
   */
  public String url(String user, String password, String database) {
    StringBuilder sb = new StringBuilder("postgresql://").append(percentEncode(user));
    if (password != null) {
      sb.append(':').append(percentEncode(password));
    }
    return sb.append('@')
        .append(HOST)
        .append(':')
        .append(port)
        .append('/')
        .append(percentEncode(database))
        .toString();
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>} (no credentials). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + percentEncode(database);
  }

  /** Percent-encodes UTF-8 bytes of {@code s}, leaving only {@code A-Z a-z 0-9 - . _ ~}. */
  public static String percentEncode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // SQL helpers (as superuser, over TCP with scram-sha-256)

  /** A new pgjdbc connection as the superuser to database "postgres"; the caller closes it. */
  public Connection superuserConnection() {
    try {
      return connect("postgres", 10);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "superuser connection to " + jdbcUrl("postgres") + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs {@code sql} as the superuser on database "postgres". */
  public void execute(String sql) {
    try (Connection c = superuserConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "SQL failed [" + e.getSQLState() + "]: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** Creates a LOGIN role; a null password means none, a null limit means unlimited (-1). */
  public void createRole(String name, String password, Integer connectionLimit) {
    StringBuilder sql = new StringBuilder("CREATE ROLE ").append(quoteIdent(name)).append(" LOGIN");
    if (password != null) {
      sql.append(" PASSWORD ").append(quoteLiteral(password));
    }
    sql.append(" CONNECTION LIMIT ").append(connectionLimit == null ? -1 : connectionLimit);
    execute(sql.toString());
  }

  /** Creates a database; a null owner means the superuser, a null limit means unlimited (-1). */
  public void createDatabase(String name, String owner, Integer connectionLimit) {
    StringBuilder sql = new StringBuilder("CREATE DATABASE ").append(quoteIdent(name));
    if (owner != null) {
      sql.append(" OWNER ").append(quoteIdent(owner));
    }
    sql.append(" CONNECTION LIMIT ").append(connectionLimit == null ? -1 : connectionLimit);
    execute(sql.toString());
  }

  public static String quoteIdent(String s) {
    requireNoNul(s);
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /** A literal for standard_conforming_strings=on (the default). */
  public static String quoteLiteral(String s) {
    requireNoNul(s);
    return '\'' + s.replace("'", "''") + '\'';
  }

  private static void requireNoNul(String s) {
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("NUL character in SQL text");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Starts the server if it is not running: the first time on a free port on 127.0.0.1, after
   * {@link #stop()} on the same port with the same data directory. Returns once a TCP connection as
   * the superuser succeeds; throws with the log tail if the server exits or the deadline passes.
   */
  public synchronized LocalPostgres start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (isRunning()) {
      return this;
    }
    if (port == 0) {
      // A free port can be taken between probing and binding: retry on "could not bind".
      for (int attempt = 1; ; attempt++) {
        port = freePort();
        long logOffset = logSize();
        try {
          launch();
          break;
        } catch (IllegalStateException e) {
          if (attempt >= 5 || !logSince(logOffset).contains("could not bind")) {
            port = 0;
            throw e;
          }
        }
      }
    } else {
      launch();
    }
    if (shutdownHook == null) {
      shutdownHook = new Thread(this::closeQuietly, "LocalPostgres-" + version + "-" + port);
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    return this;
  }

  /**
   * Replaces the server's certificate and key (ssl must be on) and restarts the server on the same
   * port, so that every connection from then on sees the new certificate: for a certificate signed
   * by a test CA ({@link TestCa}) instead of the self-signed one.
   */
  public synchronized void useServerCertificate(String certificatePem, String privateKeyPem) {
    if (!"on".equals(settings.get("ssl"))) {
      throw new IllegalStateException("ssl is off: start with ssl(true)");
    }
    try {
      Path cert = dataDir.resolve("server.crt");
      Path key = dataDir.resolve("server.key");
      Files.writeString(cert, certificatePem, StandardCharsets.UTF_8);
      Files.writeString(key, privateKeyPem, StandardCharsets.UTF_8);
      setMode(key, "rw-------");
      if (serverUser != null) {
        serverUser.chown(cert);
        serverUser.chown(key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install the server certificate", e);
    }
    stop();
    start();
  }

  /** Fast shutdown (open sessions are terminated); waits until the postmaster has exited. */
  public synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    try {
      if (p.isAlive()) {
        try {
          runTool(
              List.of(bin("pg_ctl"), "stop", "-D", dataDir.toString(), "-m", "fast", "-W"),
              Duration.ofSeconds(10));
        } catch (RuntimeException e) {
          p.destroy(); // SIGTERM: smart shutdown, the fallback if pg_ctl could not signal it
        }
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    } finally {
      process = null;
    }
  }

  /** Stops the server and deletes its directory (data, socket dir, log). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      stop();
    } finally {
      closed = true;
      deleteQuietly();
      if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is exiting; the hook is running or will run and find us closed
        }
      }
    }
  }

  /** The last {@code lines} lines of the server log. */
  public String logTail(int lines) {
    try {
      String text = new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
      String[] all = text.split("\n", -1);
      int end = all.length;
      if (end > 0 && all[end - 1].isEmpty()) {
        end--;
      }
      int from = Math.max(0, end - lines);
      return String.join("\n", java.util.Arrays.asList(all).subList(from, end));
    } catch (IOException e) {
      return "<cannot read " + logFile + ": " + e + ">";
    }
  }

  @Override
  public String toString() {
    return "LocalPostgres[" + version + " on " + HOST + ":" + port + ", " + instanceDir + "]";
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException ignored) {
      // best effort at JVM exit
    }
  }

  private void initdb(Map<String, String> conf, boolean ssl) {
    Path pwFile = instanceDir.resolve("pwfile");
    try {
      Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
      setMode(pwFile, "rw-------");
      if (serverUser != null) {
        serverUser.chown(pwFile);
      }
      runTool(
          List.of(
              bin("initdb"),
              "-D",
              dataDir.toString(),
              "-U",
              SUPERUSER,
              "--pwfile=" + pwFile,
              "--auth-local=trust",
              "--auth-host=scram-sha-256",
              "-E",
              "UTF8",
              "--no-locale",
              "--no-sync",
              "--no-instructions"),
          TOOL_TIMEOUT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(pwFile);
      } catch (IOException ignored) {
        // inside the instance directory, deleted on close
      }
    }
    if (ssl) {
      // Run as the server user so the files are owned by it; key must be 0600 for postgres.
      runTool(
          List.of(
              openssl(),
              "req",
              "-x509",
              "-nodes",
              "-days",
              "3650",
              "-newkey",
              "ec",
              "-pkeyopt",
              "ec_paramgen_curve:prime256v1",
              "-subj",
              "/CN=localhost",
              "-addext",
              "subjectAltName=DNS:localhost,IP:127.0.0.1",
              "-keyout",
              dataDir.resolve("server.key").toString(),
              "-out",
              dataDir.resolve("server.crt").toString()),
          TOOL_TIMEOUT);
      setMode(dataDir.resolve("server.key"), "rw-------");
    }
    StringBuilder sb = new StringBuilder("\n# --- written by LocalPostgres ---\n");
    conf.forEach((k, v) -> sb.append(k).append(" = ").append(quoteLiteral(v)).append('\n'));
    try {
      // Appending keeps the file's owner (the server user).
      Files.writeString(
          dataDir.resolve("postgresql.conf"),
          sb,
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() {
    List<String> cmd = new ArrayList<>();
    if (serverUser != null) {
      cmd.addAll(serverUser.prefix());
    }
    cmd.addAll(List.of(bin("postgres"), "-D", dataDir.toString(), "-p", Integer.toString(port)));
    ProcessBuilder pb =
        newProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try {
      process = pb.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
    SQLException last = null;
    try {
      while (true) {
        if (!process.isAlive()) {
          int code = process.exitValue();
          process = null;
          throw new IllegalStateException(
              "PostgreSQL "
                  + version
                  + " exited with code "
                  + code
                  + " during startup on port "
                  + port
                  + "; log tail:\n"
                  + logTail(30));
        }
        try (Connection c = connect("postgres", 2)) {
          return;
        } catch (SQLException e) {
          last = e;
        }
        if (System.nanoTime() - deadline > 0) {
          break;
        }
        // Poll interval; returns early if the server dies.
        process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stop();
    IllegalStateException e =
        new IllegalStateException(
            "PostgreSQL "
                + version
                + " did not accept connections on port "
                + port
                + " within "
                + START_TIMEOUT
                + "; log tail:\n"
                + logTail(30));
    if (last != null) {
      e.addSuppressed(last);
    }
    throw e;
  }

  private Connection connect(String database, int timeoutSeconds) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", SUPERUSER);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
    props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
    props.setProperty("sslmode", "disable");
    props.setProperty("ApplicationName", "LocalPostgres");
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /** Runs a PostgreSQL tool as the server user in the instance directory; throws on failure. */
  private String runTool(List<String> command, Duration timeout) {
    List<String> cmd = new ArrayList<>();
    if (serverUser != null) {
      cmd.addAll(serverUser.prefix());
    }
    cmd.addAll(command);
    return exec(newProcessBuilder(cmd), timeout);
  }

  private ProcessBuilder newProcessBuilder(List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(instanceDir.toFile());
    cleanEnvironment(pb);
    return pb;
  }

  private String bin(String name) {
    return installDir.resolve("bin").resolve(name).toString();
  }

  private long logSize() {
    try {
      return Files.size(logFile);
    } catch (IOException e) {
      return 0;
    }
  }

  private String logSince(long offset) {
    try {
      byte[] all = Files.readAllBytes(logFile);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private void deleteQuietly() {
    try {
      deleteRecursively(instanceDir);
    } catch (IOException | UncheckedIOException ignored) {
      // leftovers are under the work dir's run/ directory
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Binaries: locate the archive, extract once per content into the shared cache.

  private static Path workDir() {
    String configured = System.getProperty("pgconn.pg.workdir");
    Path dir =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("java.io.tmpdir"), "pgconn-postgres");
    return createSharedDir(dir.toAbsolutePath());
  }

  /** A directory other users (the server user) can traverse and read. */
  private static Path createSharedDir(Path dir) {
    try {
      Files.createDirectories(dir);
      if (ServerUser.forCurrentProcess() != null) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
        if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)
            || !perms.contains(PosixFilePermission.OTHERS_READ)) {
          perms.add(PosixFilePermission.OTHERS_EXECUTE);
          perms.add(PosixFilePermission.OTHERS_READ);
          perms.add(PosixFilePermission.GROUP_EXECUTE);
          perms.add(PosixFilePermission.GROUP_READ);
          Files.setPosixFilePermissions(dir, perms);
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
          if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
            throw new IllegalStateException(
                p
                    + " is not traversable by other users, so the "
                    + "unprivileged PostgreSQL user cannot reach "
                    + dir
                    + "; set -Dpgconn.pg.workdir (e.g. /tmp/pgconn-postgres)");
          }
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  static Path archive(int version) {
    String configured = System.getProperty("pgconn.pg.binaries");
    List<Path> candidates = new ArrayList<>();
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured, Integer.toString(version), ARCHIVE_NAME));
    }
    // Fallbacks for runs outside Maven (IDE) from the repository root or the module directory.
    candidates.add(Path.of("target", "postgres-binaries", Integer.toString(version), ARCHIVE_NAME));
    candidates.add(
        Path.of(
            "operator", "target", "postgres-binaries", Integer.toString(version), ARCHIVE_NAME));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    throw new IllegalStateException(
        "PostgreSQL "
            + version
            + " archive not found in "
            + candidates
            + "; run `mvn -pl operator generate-test-resources` and pass -Dpgconn.pg.binaries");
  }

  private static Path install(int version, Path workDir, ServerUser serverUser) {
    Path archive = archive(version);
    String key = version + "-" + sha256(archive).substring(0, 16);
    Path cacheDir = createSharedDir(workDir.resolve("bin"));
    Path target = cacheDir.resolve(key);
    synchronized (EXTRACT_LOCK) {
      if (Files.isExecutable(target.resolve("bin/postgres"))) {
        return target;
      }
      Path tmp = null;
      try {
        tmp = Files.createTempDirectory(cacheDir, ".extract-" + key + "-");
        ProcessBuilder pb =
            new ProcessBuilder(
                    "tar", "--no-same-owner", "-xJf", archive.toString(), "-C", tmp.toString())
                .directory(tmp.toFile());
        cleanEnvironment(pb);
        exec(pb, TOOL_TIMEOUT);
        if (serverUser != null) {
          makeWorldReadable(tmp);
        }
        setMode(tmp, "rwxr-xr-x");
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IllegalStateException("cannot rename within " + cacheDir, e);
        } catch (IOException e) {
          // rename(2) onto a non-empty directory fails (ENOTEMPTY, which the JDK reports as a
          // plain FileSystemException): another JVM finished first, and its copy is complete
          // because it was renamed into place only after extraction.
          if (!Files.isExecutable(target.resolve("bin/postgres"))) {
            throw e;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot extract " + archive + " to " + target, e);
      } finally {
        if (tmp != null) {
          try {
            deleteRecursively(tmp);
          } catch (IOException | UncheckedIOException ignored) {
            // a stray .extract-* directory is harmless
          }
        }
      }
      if (!Files.isExecutable(target.resolve("bin/postgres"))) {
        throw new IllegalStateException(
            "extraction of " + archive + " left no bin/postgres in " + target);
      }
      return target;
    }
  }

  private static void makeWorldReadable(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        Set<PosixFilePermission> perms =
            Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        boolean exec =
            Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                || perms.contains(PosixFilePermission.OWNER_EXECUTE);
        boolean changed =
            perms.add(PosixFilePermission.OTHERS_READ) | perms.add(PosixFilePermission.GROUP_READ);
        if (exec) {
          changed |=
              perms.add(PosixFilePermission.OTHERS_EXECUTE)
                  | perms.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (changed) {
          Files.setPosixFilePermissions(p, perms);
        }
      }
    }
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String openssl() {
    for (String candidate : List.of("/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("ssl(true) needs openssl to generate the server certificate");
  }

  // ---------------------------------------------------------------------------------------------
  // Processes and files

  private static void cleanEnvironment(ProcessBuilder pb) {
    Map<String, String> env = pb.environment();
    env.clear(); // no PGDATA, PGPORT, PGPASSWORD, ... from the caller
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("LC_ALL", "C");
    env.put("LANG", "C");
    env.put("TZ", "UTC");
  }

  /** Runs to completion with a deadline; output goes to a temp file; throws on non-zero exit. */
  private static String exec(ProcessBuilder pb, Duration timeout) {
    Path out = null;
    Process p = null;
    try {
      out = Files.createTempFile("pgconn-tool-", ".out");
      p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "timed out after " + timeout + ": " + pb.command() + "\n" + Files.readString(out));
      }
      String output = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "exit code " + p.exitValue() + ": " + pb.command() + "\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + pb.command(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted: " + pb.command(), e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // temp file
        }
      }
    }
  }

  private static void setMode(Path p, String mode) {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** The unprivileged account PostgreSQL runs as when this JVM is root. */
  private record ServerUser(
      String user, String group, UserPrincipal principal, GroupPrincipal groupPrincipal) {

    /** Null when not root. Account names: -Dpgconn.pg.user / -Dpgconn.pg.group override. */
    static ServerUser forCurrentProcess() {
      if (!Root.IS_ROOT) {
        return null;
      }
      UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
      String user = System.getProperty("pgconn.pg.user", "nobody");
      String configuredGroup = System.getProperty("pgconn.pg.group");
      List<String> groups =
          configuredGroup != null
              ? List.of(configuredGroup)
              : List.of("nogroup", "nobody"); // Debian/Ubuntu, then Fedora/RHEL/Alpine
      try {
        UserPrincipal principal = lookup.lookupPrincipalByName(user);
        for (String g : groups) {
          try {
            return new ServerUser(user, g, principal, lookup.lookupPrincipalByGroupName(g));
          } catch (IOException notFound) {
            // try the next name
          }
        }
        throw new IllegalStateException("none of the groups " + groups + " exists");
      } catch (IOException e) {
        throw new IllegalStateException("running as root but user " + user + " does not exist", e);
      }
    }

    List<String> prefix() {
      if (!Files.isExecutable(Path.of(Root.SETPRIV))) {
        throw new IllegalStateException(
            "running as root needs "
                + Root.SETPRIV
                + " to drop privileges (initdb and postgres refuse to run as root)");
      }
      return List.of(Root.SETPRIV, "--reuid=" + user, "--regid=" + group, "--clear-groups", "--");
    }

    void chown(Path p) throws IOException {
      PosixFileAttributeView view =
          Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      view.setOwner(principal);
      view.setGroup(groupPrincipal);
    }
  }

  /** Whether this JVM is root, computed once (a constant, not mutable state). */
  private static final class Root {
    static final String SETPRIV = "/usr/bin/setpriv";
    static final boolean IS_ROOT = detect();

    private static boolean detect() {
      try {
        Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return "0".equals(out);
        }
      } catch (IOException e) {
        // fall through
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "root".equals(System.getProperty("user.name"));
    }
  }

  // ---------------------------------------------------------------------------------------------

  public static final class Builder {
    private int version = 16;
    private boolean ssl;
    private String superuserPassword = "postgres";
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder() {}

    /** Major version: 16 or 17 (default 16). */
    public Builder version(int version) {
      if (version != 16 && version != 17) {
        throw new IllegalArgumentException("supported PostgreSQL versions: 16, 17; got " + version);
      }
      this.version = version;
      return this;
    }

    /** ssl=on with a self-signed certificate for CN=localhost (default off). */
    public Builder ssl(boolean ssl) {
      this.ssl = ssl;
      return this;
    }

    public Builder maxConnections(int n) {
      return setting("max_connections", Integer.toString(positive(n, "maxConnections")));
    }

    public Builder superuserReservedConnections(int n) {
      return setting("superuser_reserved_connections", Integer.toString(nonNegative(n)));
    }

    /**
     * PostgreSQL 16+ ({@code reserved_connections}, for roles with pg_use_reserved_connections).
     */
    public Builder reservedConnections(int n) {
      return setting("reserved_connections", Integer.toString(nonNegative(n)));
    }

    /** Any postgresql.conf setting; written quoted, so any GUC type works. Overrides defaults. */
    public Builder setting(String name, String value) {
      if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
        throw new IllegalArgumentException("bad setting name: " + name);
      }
      if (value == null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("bad value for " + name + ": " + value);
      }
      settings.put(name, value);
      return this;
    }

    /** Password of superuser "postgres" (default "postgres"). */
    public Builder superuserPassword(String password) {
      if (password == null
          || password.isEmpty()
          || password.indexOf('\n') >= 0
          || password.indexOf('\r') >= 0
          || password.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("superuser password must be non-empty, single-line");
      }
      this.superuserPassword = password;
      return this;
    }

    /** initdb, then start; see {@link LocalPostgres#start()}. On failure nothing is left behind. */
    public LocalPostgres start() {
      LocalPostgres pg = new LocalPostgres(this);
      try {
        return pg.start();
      } catch (RuntimeException e) {
        pg.close();
        throw e;
      }
    }

    private static int positive(int n, String what) {
      if (n <= 0) {
        throw new IllegalArgumentException(what + " must be positive: " + n);
      }
      return n;
    }

    private static int nonNegative(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("must be >= 0: " + n);
      }
      return n;
    }
  }
}
