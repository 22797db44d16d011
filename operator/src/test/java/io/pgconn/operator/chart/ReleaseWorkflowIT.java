package io.pgconn.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.GoTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release workflow cannot run here (no GitHub, no registry), so it is linted: actionlint checks
 * its syntax, expressions, the inputs of the actions it uses and, where shellcheck is installed,
 * its shell steps. And it publishes the image the tests build: Jib from operator/pom.xml.
 */
class ReleaseWorkflowIT {

  static final Path WORKFLOWS = Helm.repoRoot().resolve(".github/workflows");

  @Test
  void everyWorkflowPassesActionlint() throws Exception {
    Run lint = actionlint(WORKFLOWS.getParent().getParent(), List.of());

    assertThat(lint.exit()).as(lint.output()).isZero();
  }

  @Test
  void actionlintRefusesAMistakeOfTheKindItGuards(@TempDir Path scratch) throws Exception {
    Path broken = scratch.resolve("broken.yml");
    Files.writeString(
        broken,
        Files.readString(WORKFLOWS.resolve("release.yml"))
            .replace("${{ github.repository_owner }}", "${{ github.repository_ownr }}"));

    Run lint = actionlint(scratch, List.of(broken.toString()));

    assertThat(lint.exit()).as(lint.output()).isNotZero();
    assertThat(lint.output()).contains("repository_ownr");
  }

  @Test
  void theReleasePublishesTheImageTheTestsBuildAndSignsWhatItPublishes() throws IOException {
    String release = Files.readString(WORKFLOWS.resolve("release.yml"));

    assertThat(release)
        .contains("mvn -B -pl operator package jib:build")
        .contains("-Djib.from.platforms=linux/amd64,linux/arm64")
        .contains("cosign sign --yes \"${IMAGE}@")
        .contains("format: cyclonedx-json")
        .contains("helm push")
        .contains("cosign sign --yes \"${CHARTS#oci://}/pgconn-operator@")
        .contains("id-token: write");
  }

  private record Run(int exit, String output) {}

  private static Run actionlint(Path dir, List<String> files)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(GoTool.locate("actionlint", "github.com/rhysd/actionlint").toString());
    command.addAll(List.of("-no-color", "-oneline"));
    command.addAll(files);
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("actionlint finished").isTrue();
    return new Run(process.exitValue(), output);
  }
}
