package io.pgconn.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Carelessly written passwords never reach doctor's output: one starting with '/' (libpq reads it
 * into the database name) and a raw '&' in a JDBC password (its tail reads as a parameter). No
 * server needed: the first is refused while parsing, the second is aimed at a closed port.
 */
class DoctorCanaryTest {

  private static final String TAIL = "Canary7Tail";

  @Test
  void aPasswordStartingWithSlashIsNotInTheOutput() {
    for (String format : new String[] {"--json", "--connect-timeout=1"}) {
      String out = run(format, "postgresql://app:/" + TAIL + "@127.0.0.1:1/app");
      assertThat(out).doesNotContain(TAIL).contains("%2F");
    }
  }

  @Test
  void aRawAmpersandInAJdbcPasswordIsNotInTheOutput() {
    for (String format : new String[] {"--json", "--connect-timeout=1"}) {
      String out =
          run(format, "jdbc:postgresql://127.0.0.1:1/app?user=app&password=ab&" + TAIL + "=x9");
      assertThat(out).doesNotContain(TAIL).doesNotContain("x9");
    }
  }

  private static String run(String option, String url) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DoctorCommand command = new DoctorCommand();
    command.setStreams(
        new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    command.setEnvironment(Map.<String, String>of()::get);
    new CommandLine(command).execute(option, url);
    return out.toString(StandardCharsets.UTF_8);
  }
}
