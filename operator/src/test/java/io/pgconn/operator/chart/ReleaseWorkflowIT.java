package io.pgconn.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.GoTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        .contains("id-token: write")
        .contains("\"kubectl-pgconn-${{ steps.version.outputs.version }}.tar.gz\"")
        .contains("pgconn.yaml");
  }

  /**
   * The plugin step run as the release runs it (its shell, its expressions filled in) on a copy of
   * the repository's plugin/ and LICENSE: the archive holds the script stamped with the version,
   * the krew manifest carries the archive's sha256 and the paths krew copies exist in it, and the
   * unpacked script runs.
   */
  @Test
  void thePluginArchiveIsWhatItsKrewManifestInstalls(@TempDir Path work) throws Exception {
    String release = Files.readString(WORKFLOWS.resolve("release.yml"));
    Map<String, Object> workflow = new org.yaml.snakeyaml.Yaml().load(release);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> steps =
        (List<Map<String, Object>>)
            ((Map<String, Object>) ((Map<String, Object>) workflow.get("jobs")).get("release"))
                .get("steps");
    String script =
        steps.stream()
            .filter(step -> "Package the kubectl plugin".equals(step.get("name")))
            .map(step -> (String) step.get("run"))
            .findFirst()
            .orElseThrow()
            .replace("${{ steps.version.outputs.version }}", "1.2.3")
            .replace("${{ github.repository }}", "pgconn/pgconn-operator");
    Path root = Helm.repoRoot();
    Files.createDirectories(work.resolve("plugin"));
    for (String file : List.of("plugin/kubectl-pgconn", "plugin/pgconn.yaml", "LICENSE")) {
      Files.copy(root.resolve(file), work.resolve(file));
    }
    assertThat(sh(work, "bash", "-euo", "pipefail", "-c", script).exit()).isZero();

    Path archive = work.resolve("kubectl-pgconn-1.2.3.tar.gz");
    String sha256 = sh(work, "sha256sum", archive.toString()).output().split(" ")[0];
    Map<String, Object> manifest =
        new org.yaml.snakeyaml.Yaml().load(Files.readString(work.resolve("pgconn.yaml")));
    @SuppressWarnings("unchecked")
    Map<String, Object> platform =
        ((List<Map<String, Object>>) ((Map<String, Object>) manifest.get("spec")).get("platforms"))
            .get(0);
    assertThat(platform.get("sha256")).isEqualTo(sha256);
    assertThat(platform.get("uri"))
        .isEqualTo(
            "https://github.com/pgconn/pgconn-operator/releases/download/v1.2.3/"
                + "kubectl-pgconn-1.2.3.tar.gz");
    assertThat(platform.get("bin")).isEqualTo("kubectl-pgconn");

    Path unpacked = Files.createDirectories(work.resolve("unpacked"));
    assertThat(sh(unpacked, "tar", "-xzf", archive.toString()).exit()).isZero();
    @SuppressWarnings("unchecked")
    List<Map<String, String>> files = (List<Map<String, String>>) platform.get("files");
    for (Map<String, String> file : files) {
      assertThat(unpacked.resolve(file.get("from"))).isRegularFile();
    }
    Path installed = unpacked.resolve("kubectl-pgconn/kubectl-pgconn");
    assertThat(Files.isExecutable(installed)).isTrue();
    assertThat(sh(unpacked, installed.toString(), "version").output().trim())
        .isEqualTo("kubectl pgconn 1.2.3");
  }

  private static Run sh(Path dir, String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), output);
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
