package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.api.SecretKeyRef;
import io.pgconn.operator.url.ConnectionString;
import io.pgconn.operator.url.ConnectionStringParser;
import io.pgconn.operator.url.InvalidConnectionStringException;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads and parses the connection strings a policy references, with errors users can act on. The
 * one place that knows where a policy's inputs come from: reconcile, probe release and cleanup all
 * ask here.
 */
final class InputResolver {

  private final SecretLookup referenced;
  private final SecretLookup fresh;
  private final InPlaceRewriter inPlace;

  InputResolver(SecretLookup referenced, SecretLookup fresh, InPlaceRewriter inPlace) {
    this.referenced = referenced;
    this.fresh = fresh;
    this.inPlace = inPlace;
  }

  /** The inputs of a reconcile; in place mode saves or updates the backup of the original. */
  PolicyInputs resolve(PostgresConnectionPolicy policy, PolicyView view) throws PolicyFailure {
    Secret source = sourceSecret(view);
    ConnectionString base =
        view.inPlace()
            ? parse(
                view.sourceId(), view.source().getKey(), inPlace.resolveBase(policy, view, source))
            : SourceReader.base(view, source);
    return inputs(view, source, base);
  }

  /** The inputs as they stand, writing nothing: for cleanup. Empty when they cannot be read. */
  Optional<PolicyInputs> current(PostgresConnectionPolicy policy, PolicyView view) {
    try {
      Secret source = sourceSecret(view);
      Optional<String> saved =
          view.inPlace() ? inPlace.savedOriginal(policy, view) : Optional.empty();
      ConnectionString base =
          saved.isPresent()
              ? parse(view.sourceId(), view.source().getKey(), saved.get())
              : SourceReader.base(view, source);
      return Optional.of(inputs(view, source, base));
    } catch (PolicyFailure e) {
      return Optional.empty();
    }
  }

  private Secret sourceSecret(PolicyView view) throws PolicyFailure {
    if (view.sourceField() == null) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_SPEC,
          "spec.source names no source: set exactly one of secretRef, fields or json");
    }
    // In place mode reads fresh: a stale read would look like someone reverting the operator.
    return secret(view.sourceId(), view.sourceField(), view.inPlace() ? fresh : referenced);
  }

  private PolicyInputs inputs(PolicyView view, Secret source, ConnectionString base)
      throws PolicyFailure {
    ConnectionString direct = null;
    if (view.direct() != null) {
      Secret directSecret = secret(view.directId(), "spec.source.directSecretRef", referenced);
      direct = parse(view.directId(), view.direct().getKey(), value(directSecret, view.direct()));
    }
    CaBundle ca = null;
    var caRef = view.spec().getSource().getCaSecretRef();
    if (caRef != null) {
      ca =
          CaBundle.read(
              view.caId(), caRef, secret(view.caId(), "spec.source.caSecretRef", referenced));
    }
    return new PolicyInputs(source, base, direct, ca);
  }

  private static Secret secret(SecretId id, String field, SecretLookup lookup)
      throws PolicyFailure {
    return lookup
        .get(id)
        .orElseThrow(
            () ->
                new PolicyFailure(
                    PolicyFailure.Reason.SOURCE_SECRET_NOT_FOUND,
                    "Secret "
                        + id
                        + " ("
                        + field
                        + ") does not exist: create it, or"
                        + " fix "
                        + field
                        + ".name"));
  }

  static String value(Secret secret, SecretKeyRef ref) throws PolicyFailure {
    return ManagedSecrets.value(secret, ref.getKey())
        .orElseThrow(() -> missingKey(secret, ref.getKey(), "the secretRef"));
  }

  /**
   * The named key is not in the Secret: which keys it has (names only, never values) and what to
   * change.
   *
   * @param field the spec field that names the key, e.g. spec.source.fields.password
   */
  static PolicyFailure missingKey(Secret secret, String key, String field) {
    TreeSet<String> keys = new TreeSet<>();
    if (secret.getData() != null) keys.addAll(secret.getData().keySet());
    if (secret.getStringData() != null) keys.addAll(secret.getStringData().keySet());
    return new PolicyFailure(
        PolicyFailure.Reason.SOURCE_KEY_NOT_FOUND,
        "Secret "
            + secret.getMetadata().getNamespace()
            + "/"
            + secret.getMetadata().getName()
            + " has no key "
            + key
            + " (it has: "
            + (keys.isEmpty() ? "no keys" : keys)
            + "): set the key's name in "
            + field
            + ", or add the key to the Secret");
  }

  static ConnectionString parse(SecretId id, String key, String raw) throws PolicyFailure {
    try {
      return ConnectionStringParser.parse(raw);
    } catch (InvalidConnectionStringException e) {
      throw new PolicyFailure(
          PolicyFailure.Reason.INVALID_CONNECTION_STRING,
          "key "
              + key
              + " of Secret "
              + id
              + " is not a usable PostgreSQL connection string: "
              + e.getMessage());
    }
  }
}
