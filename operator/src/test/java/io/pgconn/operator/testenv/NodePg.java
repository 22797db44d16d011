package io.pgconn.operator.testenv;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * node-postgres (pg 8 from the npm registry) in a scratch directory: the judge of the node-postgres
 * and Prisma-adapter outputs. Installed once per directory; a test that needs it is skipped, saying
 * why, where node or npm is missing or the registry refuses.
 */
public final class NodePg {

  /** What an install into a directory gave: the directory, or why there is none. */
  private record Install(Path dir, String unavailable) {}

  private static final Map<Path, Install> INSTALLED = new ConcurrentHashMap<>();

  private NodePg() {}

  /** {@code scratch}/node with pg 8 installed, or the calling test is skipped (assumption). */
  public static Path installed(Path scratch) {
    Install install = INSTALLED.computeIfAbsent(scratch, NodePg::install);
    assumeTrue(
        install.unavailable() == null,
        () -> "node-postgres judge unavailable: " + install.unavailable());
    return install.dir();
  }

  /** Writes a script (lines joined by newlines) into the judge's directory; returns its path. */
  public static Path script(Path dir, String name, String... lines) {
    try {
      return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * who.js: a pg Pool as an app builds it from a node-postgres output (the URL in {@code $VAR}, the
   * pool options in {@code $VAR_POOL_*}) runs {@code query} and prints the first column.
   */
  public static Path whoScript(Path dir, String variable, String query) {
    return script(
        dir,
        "who.js",
        "const { Pool } = require('pg');",
        "const env = process.env;",
        "const pool = new Pool({",
        "  connectionString: env." + variable + ",",
        "  max: Number(env." + variable + "_POOL_MAX),",
        "  connectionTimeoutMillis: Number(env." + variable + "_POOL_CONNECTION_TIMEOUT_MILLIS),",
        "  idleTimeoutMillis: Number(env." + variable + "_POOL_IDLE_TIMEOUT_MILLIS),",
        "});",
        "pool.query(" + jsString(query) + ")",
        "  .then((r) => { console.log(Object.values(r.rows[0])[0]); return pool.end(); })",
        "  .catch((e) => { console.error(e.message); process.exit(1); });");
  }

  /** A JavaScript string literal of {@code s}. */
  public static String jsString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static Install install(Path scratch) {
    if (ClientProcess.onPath("node") == null || ClientProcess.onPath("npm") == null) {
      return new Install(null, "node or npm not on PATH");
    }
    try {
      Path dir = Files.createDirectories(scratch.resolve("node"));
      Files.writeString(dir.resolve("package.json"), "{\"name\":\"judge\",\"private\":true}\n");
      ClientProcess.Result npm =
          ClientProcess.run(
              scratch,
              List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "pg@8"),
              Map.of(),
              dir,
              180);
      if (npm.exit() != 0 || !Files.isDirectory(dir.resolve("node_modules/pg"))) {
        return new Install(
            null, "`npm install pg@8` failed (exit " + npm.exit() + "): " + npm.err());
      }
      return new Install(dir, null);
    } catch (IOException e) {
      return new Install(null, "cannot install pg: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Install(null, "interrupted while installing pg");
    }
  }
}
