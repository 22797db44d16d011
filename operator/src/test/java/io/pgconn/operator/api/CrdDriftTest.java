package io.pgconn.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * crds/ is what users and the Helm chart install; it must be exactly what the generator makes from
 * the api classes. The build copies the generated file there after the tests (prepare-package), so
 * a drift fails the build that first sees it, and the next build (once committed) passes.
 */
class CrdDriftTest {

  static final String FILE = "postgresconnectionpolicies.pgconn.io-v1.yml";

  @Test
  void committedCrdIsWhatTheGeneratorMakes() throws Exception {
    Path generated = Path.of(System.getProperty("pgconn.crds.generated")).resolve(FILE);
    Path committed = Path.of(System.getProperty("pgconn.crds.dir")).resolve(FILE);
    assertThat(committed).as("crds/%s is missing: run mvn package and commit it", FILE).exists();
    assertThat(Files.readString(committed))
        .as(
            "crds/%s differs from the CRD generated from the api classes: run mvn package"
                + " (it copies the generated file into crds/) and commit the result",
            FILE)
        .isEqualTo(Files.readString(generated));
  }
}
