package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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
  private final KubernetesClient client;

  SecretSync(
      TargetSecretDependent target,
      InPlaceRewriter inPlace,
      SecretLookup fresh,
      KubernetesClient client) {
    this.target = target;
    this.inPlace = inPlace;
    this.fresh = fresh;
    this.client = client;
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
    TargetMetadata metadata = TargetMetadata.validated(policy);
    restoreIfMovedAway(policy, view);
    Optional<Secret> existing = existingTarget(policy, view, context);
    if (existing.isPresent() && !ManagedSecrets.targetOf(existing.get(), policy)) {
      throw notOurs(policy, view, existing.get());
    }
    if (existing.isPresent()
        && ManagedSecrets.holdsExactly(existing.get(), content.data())
        && metadata.heldBy(existing.get(), policy)) {
      return Outcome.UNCHANGED;
    }
    target
        .reconcile(policy, context, content)
        .filter(written -> TargetMetadata.wronglyOwned(written, policy))
        .ifPresent(written -> removeOwnerReference(written, policy));
    // Labels, annotations and the owner reference are not content: changing them alone is no
    // change for the workloads (the content hash covers the data only).
    return existing.isEmpty() || !ManagedSecrets.holds(existing.get(), content.data())
        ? Outcome.WRITTEN
        : Outcome.UNCHANGED;
  }

  /**
   * deletionPolicy Retain, when the policy goes: the target must not carry its owner reference. It
   * is written without one, but the spec may have said Delete until just before (or while the
   * operator was down); a reference written by another field manager (an older version's update) is
   * not removed by server-side apply either. Foreground deletion may have removed the target
   * already; that is what Delete asked for when it was written.
   */
  void release(PostgresConnectionPolicy policy, PolicyView view) {
    if (view.inPlace()) return;
    // Read again when the Secret changed between read and patch: once the cleanup returns, the
    // garbage collector may act, so this cannot wait for the next reconcile.
    for (int attempt = 0; attempt < 3; attempt++) {
      Optional<Secret> owned =
          fresh
              .get(new SecretId(view.namespace(), view.targetSecretName()))
              .filter(secret -> TargetMetadata.wronglyOwned(secret, policy));
      if (owned.isEmpty() || removeOwnerReference(owned.get(), policy)) return;
    }
  }

  /**
   * Removes exactly this policy's owner reference with a JSON patch that first tests it is still
   * where it was read: any field manager's reference goes, and nothing else changes.
   */
  private boolean removeOwnerReference(Secret secret, PostgresConnectionPolicy policy) {
    int index = TargetMetadata.ownerIndex(secret, policy);
    if (index < 0) return true;
    String path = "/metadata/ownerReferences/" + index;
    String patch =
        "[{\"op\":\"test\",\"path\":\""
            + path
            + "/uid\",\"value\":\""
            + policy.getMetadata().getUid()
            + "\"},{\"op\":\"remove\",\"path\":\""
            + path
            + "\"}]";
    try {
      client
          .secrets()
          .inNamespace(secret.getMetadata().getNamespace())
          .withName(secret.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON), patch);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) return true; // gone: nothing left to release
      // Changed since the read (the test failed): read it again.
      if (e.getCode() != 409 && e.getCode() != 422) throw e;
      return false;
    }
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
    // Not in the label-filtered cache: a foreign Secret, or one the cache has not seen yet.
    return cached.isPresent()
        ? cached
        : fresh.get(new SecretId(view.namespace(), view.targetSecretName()));
  }

  private static PolicyFailure notOurs(
      PostgresConnectionPolicy policy, PolicyView view, Secret existing) {
    String where = "Secret " + view.namespace() + "/" + view.targetSecretName();
    Optional<String> other = ManagedSecrets.owningPolicy(existing);
    if (other.isPresent() && other.get().equals(view.name())) {
      return new PolicyFailure(
          PolicyFailure.Reason.TARGET_OWNED_BY_ANOTHER_POLICY,
          where
              + " still belongs to an earlier PostgresConnectionPolicy "
              + view.name()
              + " (deletionPolicy Delete), so the garbage collector deletes it with that one;"
              + " this policy writes it anew once it is gone");
    }
    Optional<String> retainedFor = ManagedSecrets.retainedFor(existing);
    if (other.isEmpty() && retainedFor.isPresent()) {
      return new PolicyFailure(
          PolicyFailure.Reason.TARGET_OWNED_BY_ANOTHER_POLICY,
          where
              + " was written for PostgresConnectionPolicy "
              + retainedFor.get()
              + " and kept when it was deleted (deletionPolicy Retain), so this policy writes"
              + " nothing to it: give this policy its own spec.target.secretName, or delete that"
              + " Secret if nothing reads it any more");
    }
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
