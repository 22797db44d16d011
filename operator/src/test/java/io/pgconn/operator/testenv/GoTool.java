package io.pgconn.operator.testenv;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command-line tool pinned in {@code tools/<name>/go.mod} and built by {@code
 * tools/build-<name>.sh} into {@code <pgconn.bin.dir>/<name>/<version>/<name>} (release binaries
 * cannot be downloaded on these machines; the Go module proxy can be reached). Built on first use
 * when Go is on PATH; without either the binary or Go the test fails (never skips) and says how to
 * get it.
 */
public final class GoTool {

  private GoTool() {}

  /**
   * @param name the tool's directory under tools/, its build script's suffix and its binary
   * @param module the Go module whose {@code require} line in go.mod pins the version
   */
  public static Path locate(String name, String module) {
    Path tools = BuildScripts.toolsDir();
    Path script = tools.resolve("build-" + name + ".sh");
    if (!Files.isRegularFile(script)) {
      fail("cannot find " + script + "; set -Dpgconn.tools.dir to the repository's tools/");
    }
    String version = pinnedVersion(tools.resolve(name).resolve("go.mod"), module);
    Path binDir =
        Path.of(
            System.getProperty(
                "pgconn.bin.dir", System.getProperty("user.home") + "/.kubeapitest"));
    Path binary = binDir.resolve(name).resolve(version).resolve(name);
    if (!Files.isExecutable(binary)) {
      if (!BuildScripts.onPath("go")) {
        fail(
            name
                + " "
                + version
                + " is not at "
                + binary
                + " and Go is not on PATH to build it: install Go (the module proxy must be"
                + " reachable) or run "
                + script
                + " on a machine that has it");
      }
      System.err.println(
          name + ": " + binary + " missing; building it from Go modules (first time only)");
      BuildScripts.run(List.of("bash", script.toString()), binDir, 30);
      if (!Files.isExecutable(binary)) {
        fail(script + " finished but " + binary + " is still missing");
      }
    }
    return binary;
  }

  private static String pinnedVersion(Path goMod, String module) {
    Pattern require =
        Pattern.compile("(?m)^require\\s+" + Pattern.quote(module) + "\\s+v(\\S+)\\s*$");
    try {
      Matcher m = require.matcher(Files.readString(goMod));
      if (!m.find()) fail("no 'require " + module + " vX.Y.Z' line in " + goMod);
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + goMod, e);
    }
  }
}
