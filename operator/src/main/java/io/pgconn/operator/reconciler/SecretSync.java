package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import java.util.Optional;

/**
 * Puts the rendered content where the app reads it: the target Secret, or in place mode the source
 * Secret itself. Never writes a Secret this policy does not own.
 */
final class SecretSync {

  /** What a write did. */
  enum Outcome {
    UNCHANGED,
    WRITTEN,
    /** In place mode: the source changed between the read and the write; nothing was written. */
    SOURCE_CHANGED
  }

  private final TargetSecretDependent target;
  private final InPlaceRewriter inPlace;
  private final SecretLookup fresh;

  SecretSync(TargetSecretDependent target, InPlaceRewriter inPlace, SecretLookup fresh) {
    this.target = target;
    this.inPlace = inPlace;
    this.fresh = fresh;
  }

  /** Writes the content if it is not there yet. */
  Outcome write(
      PostgresConnectionPolicy policy,
      PolicyView view,
      PolicyInputs inputs,
      RenderedContent content,
      Context<PostgresConnectionPolicy> context)
      throws PolicyFailure {
    if (view.inPlace()) {
      try {
        return inPlace.write(policy, view, inputs.source(), content)
            ? Outcome.WRITTEN
            : Outcome.UNCHANGED;
      } catch (InPlaceRewriter.SourceChanged e) {
        return Outcome.SOURCE_CHANGED;
      }
    }
    restoreIfMovedAway(policy, view);
    Optional<Secret> existing = existingTarget(policy, view, context);
    if (existing.isPresent() && !ManagedSecrets.ownedBy(existing.get(), policy)) {
      throw notOurs(view, existing.get());
    }
    if (existing.isPresent() && ManagedSecrets.holdsExactly(existing.get(), content.data())) {
      return Outcome.UNCHANGED;
    }
    target.reconcile(policy, context, content);
    return existing.isEmpty() || !ManagedSecrets.holds(existing.get(), content.data())
        ? Outcome.WRITTEN
        : Outcome.UNCHANGED;
  }

  /** A policy that wrote in place and now has a target of its own puts the source back at once. */
  private void restoreIfMovedAway(PostgresConnectionPolicy policy, PolicyView view) {
    var backupId =
        new io.javaoperatorsdk.operator.processing.event.ResourceID(
            view.backupSecretName(), view.namespace());
    boolean backedUp =
        target
            .eventSource()
            .flatMap(informer -> informer.get(backupId))
            .filter(backup -> ManagedSecrets.ownedBy(backup, policy))
            .isPresent();
    if (backedUp) {
      inPlace.restore(policy, view);
    }
  }

  /** The target as the label-filtered cache has it, or else as the API server has it. */
  private Optional<Secret> existingTarget(
      PostgresConnectionPolicy policy, PolicyView view, Context<PostgresConnectionPolicy> context) {
    Optional<Secret> cached = target.getSecondaryResource(policy, context);
    return cached.isPresent()
        ? cached
        : fresh.get(new SecretId(view.namespace(), view.targetSecretName()));
  }

  private static PolicyFailure notOurs(PolicyView view, Secret existing) {
    String where = "Secret " + view.namespace() + "/" + view.targetSecretName();
    Optional<String> other = ManagedSecrets.owningPolicy(existing);
    if (other.isPresent()) {
      return new PolicyFailure(
          PolicyFailure.Reason.TARGET_OWNED_BY_ANOTHER_POLICY,
          where
              + " is the target of PostgresConnectionPolicy "
              + other.get()
              + ", so this policy"
              + " writes nothing to it: give this policy its own spec.target.secretName");
    }
    return new PolicyFailure(
        PolicyFailure.Reason.TARGET_SECRET_CONFLICT,
        where
            + " exists and is not managed by this policy, so the operator will not overwrite it:"
            + " choose another spec.target.secretName, delete that Secret, or name the source"
            + " Secret for in place mode");
  }
}
