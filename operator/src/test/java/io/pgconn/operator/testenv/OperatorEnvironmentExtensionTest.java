package io.pgconn.operator.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The environment closes what it started, newest first, also when starting stops halfway. */
class OperatorEnvironmentExtensionTest {

  /** Logs capture starts first; PostgreSQL 15 is refused when it is the next part's turn. */
  @OperatorEnvironment(
      controlPlane = ControlPlane.NONE,
      operator = false,
      logs = true,
      postgres = 15)
  static class FailsHalfway {}

  @OperatorEnvironment(controlPlane = ControlPlane.NONE, operator = false, logs = true)
  static class LogsOnly {}

  /** Admission plugins are API server flags: without a control plane there is nothing to set. */
  @OperatorEnvironment(
      controlPlane = ControlPlane.NONE,
      operator = false,
      logs = true,
      admissionPlugins = "OwnerReferencesPermissionEnforcement")
  static class AdmissionPluginsWithoutAnApiServer {}

  @Test
  void aPartThatFailsToStartLeavesNothingStartedBehind() {
    int before = captures();
    assertThatThrownBy(
            () -> OperatorEnvironmentExtension.Environment.start(spec(FailsHalfway.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15");
    assertThat(captures()).as("log captures still attached to the root logger").isEqualTo(before);
  }

  @Test
  void handedOverResourcesCloseNewestFirstBeforeTheEnvironmentsOwnParts() throws Exception {
    List<String> closed = new ArrayList<>();
    int before = captures();
    OperatorEnvironmentExtension.Environment environment =
        OperatorEnvironmentExtension.Environment.start(spec(LogsOnly.class));
    OperatorEnvironment.Handle handle = new OperatorEnvironment.Handle(environment);
    LogCapture logs = handle.get(LogCapture.class);
    handle.closeAfterOperator(() -> closed.add("first, logs attached: " + attached(logs)));
    handle.closeAfterOperator(() -> closed.add("second, logs attached: " + attached(logs)));

    environment.close();

    assertThat(closed).containsExactly("second, logs attached: true", "first, logs attached: true");
    assertThat(captures()).isEqualTo(before);
  }

  @Test
  void admissionPluginsWithoutAnApiServerAreRefusedBeforeAnythingStarts() {
    int before = captures();
    assertThatThrownBy(
            () ->
                OperatorEnvironmentExtension.Environment.start(
                    spec(AdmissionPluginsWithoutAnApiServer.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("admission plugins");
    assertThat(captures()).isEqualTo(before);
  }

  @Test
  void theOperatorOfAnEnvironmentThatRunsNoneIsRefusedWithTheReason() throws Exception {
    OperatorEnvironmentExtension.Environment environment =
        OperatorEnvironmentExtension.Environment.start(spec(LogsOnly.class));
    OperatorEnvironment.Handle handle = new OperatorEnvironment.Handle(environment);
    assertThatThrownBy(() -> handle.get(OperatorApp.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OperatorApp is not part");
    environment.close();

    Operators operators = new Operators(Path.of("no-such-kubeconfig"));
    assertThatThrownBy(operators::current)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("operator = false");
    assertThatThrownBy(operators::stop).isInstanceOf(IllegalStateException.class);
    operators.close();
  }

  private static OperatorEnvironment spec(Class<?> annotated) {
    return annotated.getAnnotation(OperatorEnvironment.class);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static boolean attached(LogCapture capture) {
    for (Iterator<Appender<ILoggingEvent>> it = root().iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() == capture) return true;
    }
    return false;
  }

  private static int captures() {
    int n = 0;
    for (Iterator<Appender<ILoggingEvent>> it = root().iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof LogCapture) n++;
    }
    return n;
  }
}
