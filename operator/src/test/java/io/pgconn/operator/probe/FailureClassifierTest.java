package io.pgconn.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Wordings the ITs cannot reproduce (PostgreSQL <= 15 is not among the test servers) and the reason
 * names' stability rules. Everything else is covered against real servers in FailureCatalogueIT.
 */
class FailureClassifierTest {

  @Test
  void superuserReservedSlotsInTheWordingOfPostgres15AndOlder() {
    SQLException e =
        new SQLException(
            "FATAL: remaining connection slots are reserved for"
                + " non-replication superuser connections",
            "53300");
    assertThat(FailureClassifier.classify(e)).isEqualTo(FailureReason.ReservedSlotsOnly);
  }

  @Test
  void otherAuthorizationFailuresKeepTheGeneralReason() {
    SQLException e = new SQLException("FATAL: something new", "28000");
    assertThat(FailureClassifier.classify(e)).isEqualTo(FailureReason.AuthorizationFailed);
  }

  @Test
  void reasonNamesAreCamelCaseConditionReasonsAndPrismaCodesAreWellFormed() {
    Pattern camel = Pattern.compile("[A-Z][A-Za-z0-9]*");
    Arrays.stream(FailureReason.values())
        .forEach(
            r -> {
              assertThat(r.name()).matches(camel);
              if (r.prismaCode() != null) {
                assertThat(r.prismaCode()).matches("P[0-9]{4}");
              }
            });
    // Names that existed before must never disappear: status and alerts use them.
    for (String kept :
        new String[] {
          "TooManyConnections",
          "ReservedSlotsOnly",
          "RoleConnectionLimit",
          "DatabaseConnectionLimit",
          "AuthenticationFailed",
          "AuthorizationFailed",
          "DatabaseNotFound",
          "DatabaseNotAccepting",
          "SslNotSupported",
          "SslFailure",
          "UnknownHost",
          "ConnectionRefused",
          "ConnectTimeout",
          "ConnectionReset",
          "Unsupported",
          "ProbeFailed"
        }) {
      assertThat(FailureReason.valueOf(kept)).isNotNull();
    }
  }
}
