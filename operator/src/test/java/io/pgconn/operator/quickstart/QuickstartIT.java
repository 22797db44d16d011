package io.pgconn.operator.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's first command runs this; here it runs once and its report is checked. */
class QuickstartIT {

  @Test
  void startsEverythingAppliesTheExampleAndPrintsAMaskedOutcome() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (Quickstart quickstart =
        new Quickstart(new PrintStream(buffer, true, StandardCharsets.UTF_8))) {
      quickstart.run();
    }
    String report = buffer.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("PostgresConnectionPolicy shop/shop-backend is Ready.")
        .contains("PostgreSQL 16")
        .contains("connection_limit=")
        .contains("Deployment shop/backend rolled: generation 2");
    assertThat(report)
        .containsPattern("DATABASE_URL = postgresql://shop_app:\\*\\*\\*\\*@127\\.0\\.0\\.1");
    assertThat(report).doesNotContain("qs-");
  }
}
