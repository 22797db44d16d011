package io.pgconn.operator.reconciler;

import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.url.ConnectionStringParser;
import java.util.SortedMap;

/**
 * What the operator's renderer writes for a policy and a source URL, for tests outside the package.
 */
public final class OperatorPreview {

  private OperatorPreview() {}

  public static SortedMap<String, String> render(
      PostgresConnectionPolicy policy, String source, int connectionLimit) throws Exception {
    policy.getMetadata().setGeneration(1L);
    return ContentRenderer.render(
            PolicyView.of(policy),
            ConnectionStringParser.parse(source),
            null,
            connectionLimit,
            ContentHash.keyed(new byte[ContentHash.KEY_BYTES]))
        .data();
  }
}
