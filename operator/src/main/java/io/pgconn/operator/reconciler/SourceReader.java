package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.InvalidConnectionStringException;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/** Reads and parses the connection strings a policy references, with errors users can act on. */
final class SourceReader {

  private SourceReader() {}

  static Secret secret(PolicyView view, SecretId id, String field,
      Function<SecretId, Optional<Secret>> lookup) throws PolicyFailure {
    return lookup.apply(id).orElseThrow(() -> new PolicyFailure(ConditionTypes.SECRET_SYNCED,
        "SourceSecretNotFound", "Secret " + id + " (" + field + ") does not exist: create it, or"
            + " fix " + field + ".name"));
  }

  static String value(PolicyView view, Secret secret, SecretKeyRef ref) throws PolicyFailure {
    return ManagedSecrets.value(secret, ref.getKey()).orElseThrow(() -> missingKey(ref, secret));
  }

  static PolicyFailure missingKey(PolicyView view, Secret secret) {
    return missingKey(view.source(), secret);
  }

  private static PolicyFailure missingKey(SecretKeyRef ref, Secret secret) {
    TreeSet<String> keys = new TreeSet<>();
    if (secret.getData() != null) keys.addAll(secret.getData().keySet());
    if (secret.getStringData() != null) keys.addAll(secret.getStringData().keySet());
    return new PolicyFailure(ConditionTypes.SECRET_SYNCED, "SourceKeyNotFound",
        "Secret " + secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName()
            + " has no key " + ref.getKey() + " (it has: " + (keys.isEmpty() ? "no keys" : keys)
            + "): set the key's name in the secretRef, or add the key to the Secret");
  }

  static ConnectionString parse(SecretId id, String key, String raw) throws PolicyFailure {
    try {
      return ConnectionStringParser.parse(raw);
    } catch (InvalidConnectionStringException e) {
      throw new PolicyFailure(ConditionTypes.SECRET_SYNCED, "InvalidConnectionString",
          "key " + key + " of Secret " + id + " is not a usable PostgreSQL connection string: "
              + e.getMessage());
    }
  }
}
