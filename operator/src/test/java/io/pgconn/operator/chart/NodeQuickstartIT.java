package io.pgconn.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * README "Try it on a real node" runs this with -Dquickstart.node=true: the chart installs the
 * operator's image, the quick start's demo app rolls onto the tuned Secret and its three pods hold
 * exactly their limit (NodeQuickstart waits for PostgreSQL to count 3 x limit sessions). Here it
 * runs once and its report is checked: masked, and saying what the pods and PostgreSQL said.
 */
@Tag("real-node")
class NodeQuickstartIT {

  @Test
  void installsTheChartRollsTheDemoAppOntoTheTunedSecretAndPrintsAMaskedOutcome() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (NodeQuickstart quickstart =
        new NodeQuickstart(new PrintStream(buffer, true, StandardCharsets.UTF_8))) {
      quickstart.run();
    }
    String report = buffer.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("PostgresConnectionPolicy shop/shop-backend is Ready.")
        .contains("PostgreSQL 16")
        .containsPattern(
            "DATABASE_URL = postgresql://shop_app:\\*\\*\\*\\*@10\\.[0-9.]+:5432/shop\\?")
        .contains("pool_max_conns=")
        .contains("3 pods Ready")
        .containsPattern("(?s)(backend-\\S+: pool holds (\\d+) of \\2 connections.*){3}")
        .containsPattern("PostgreSQL counts (\\d+) sessions of shop_app");
    assertThat(report).doesNotContain("qs-");
  }
}
