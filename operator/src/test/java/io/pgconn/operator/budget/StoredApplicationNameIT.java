package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgconn.operator.testenv.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What real servers show in pg_stat_activity for the names a policy may configure: the rule in
 * {@link StoredApplicationName} must give exactly that, or the budget counts the policy's own pods
 * as foreign clients.
 */
class StoredApplicationNameIT {

  static final List<String> NAMES =
      List.of(
          "checkout",
          "a-policy-name-that-is-far-longer-than-the-sixty-three-bytes-postgres-keeps-of-it",
          "café-checkout",
          "日本語-service",
          "x".repeat(61) + "é",
          "tab\there",
          "emoji-😀-pool");

  @ParameterizedTest
  @ValueSource(ints = {16, 17})
  void theServerStoresWhatTheRuleSays(int major) throws Exception {
    try (LocalPostgres postgres = LocalPostgres.builder().version(major).start()) {
      for (String name : NAMES) {
        Properties props = new Properties();
        props.setProperty("user", LocalPostgres.SUPERUSER);
        props.setProperty("password", postgres.superuserPassword());
        props.setProperty("ApplicationName", name);
        try (Connection connection =
                DriverManager.getConnection(postgres.jdbcUrl("postgres"), props);
            PreparedStatement statement =
                connection.prepareStatement(
                    "select application_name from pg_stat_activity where pid = pg_backend_pid()");
            ResultSet rs = statement.executeQuery()) {
          rs.next();
          assertThat(rs.getString(1))
              .as("PostgreSQL %d, name %s", major, name)
              .isEqualTo(StoredApplicationName.of(name, major));
        }
      }
    }
  }
}
