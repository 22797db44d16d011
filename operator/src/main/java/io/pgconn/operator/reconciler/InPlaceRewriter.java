package io.pgconn.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgconn.operator.api.PostgresConnectionPolicy;
import io.pgconn.operator.kube.OperatorIdentity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;

/**
 * In place mode: the app already reads the source Secret, so the operator rewrites its keys there.
 * Every write is recorded first in a Secret the policy owns (the backup): the value each key had
 * before the operator first wrote it, or that it was absent, and the content about to be written.
 * Only then is the source written, with the resourceVersion it was read at as a precondition. So a
 * crash between any two writes leaves a backup that knows the original, a password rotated while
 * the probe ran is never overwritten, and deleting the policy (or moving its target away) puts back
 * every key as it was. A new value written by someone else (a rotation) becomes the new base; a
 * writer that keeps restoring the original (a GitOps tool, a secrets syncer) is detected, and the
 * operator stops fighting it without writing anything more.
 */
final class InPlaceRewriter {

  static final int REVERTS_BEFORE_GIVING_UP = 3;

  /** Reverts further apart than this do not add up: a revert a month ago is not a fight. */
  static final Duration REVERT_WINDOW = Duration.ofMinutes(10);

  /** The source changed between the read and the write: read it again. */
  static final class SourceChanged extends Exception {
    SourceChanged() {
      super(null, null, false, false);
    }
  }

  private final KubernetesClient client;
  private final Clock clock;
  private final PolicyObserver observer;

  InPlaceRewriter(KubernetesClient client, Clock clock, PolicyObserver observer) {
    this.client = client;
    this.clock = clock;
    this.observer = observer;
  }

  /** The base connection string to render from, saving or updating the backup as needed. */
  String resolveBase(PostgresConnectionPolicy policy, PolicyView view, Secret source)
      throws PolicyFailure {
    String key = view.source().getKey();
    String current = InputResolver.value(source, view.source());
    Optional<InPlaceBackup> found = backup(policy, view);
    long generation = view.generation();
    if (found.isEmpty()) {
      save(
          policy,
          view,
          InPlaceBackup.first(view.source().getName(), key, current, generation, source));
      return current;
    }
    InPlaceBackup backup = found.get();
    Optional<InPlaceBackup> adopted = backup.adopting(source, key, generation);
    if (adopted.isPresent()) {
      // Someone else wrote new values (a rotated password): they are the new originals.
      save(policy, view, adopted.get());
      return adopted.get().original(key).orElse(current);
    }
    String original = backup.original(key).orElse(current);
    if (backup.holdsWritten(source) || !backup.wrote(key) || !current.equals(original)) {
      return original;
    }
    // The source holds the original again although the operator had written: a revert, unless
    // the write never landed (a crash, a conflict) or this revert was counted already.
    boolean sameGeneration = backup.generation() == generation;
    if (sameGeneration && backup.reverts() >= REVERTS_BEFORE_GIVING_UP) {
      throw conflictingWriter(view, backup.reverts());
    }
    if (backup.seen(source)) return original;
    Instant now = clock.instant();
    boolean recent =
        sameGeneration
            && backup.lastRevert() != null
            && Duration.between(backup.lastRevert(), now).compareTo(REVERT_WINDOW) < 0;
    int reverts = recent ? backup.reverts() + 1 : 1;
    save(policy, view, backup.withRevert(reverts, generation, now, source));
    if (reverts >= REVERTS_BEFORE_GIVING_UP) {
      throw conflictingWriter(view, reverts);
    }
    return original;
  }

  /**
   * Records, then writes the rendered keys into the source Secret. Returns whether the source's
   * content changed.
   */
  boolean write(
      PostgresConnectionPolicy policy, PolicyView view, Secret source, RenderedContent content)
      throws PolicyFailure, SourceChanged {
    // resolveBase saved it in this reconcile: a missing one was deleted since, so start over.
    InPlaceBackup backup = backup(policy, view).orElseThrow(SourceChanged::new);
    if (!backup.recorded(content.data())) {
      backup = backup.recording(source, content.data());
      save(policy, view, backup, WriteStep.WRITE_RECORDED);
    }
    SortedMap<String, String> desired = backup.desired(content.data());
    // Holds it, and no key the operator applied before that it should now give up.
    if (ManagedSecrets.holds(source, desired)
        && desired.keySet().containsAll(ManagedSecrets.keysAppliedBy(source))) {
      return false;
    }
    try {
      applyToSource(view.namespace(), source, desired);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) throw new SourceChanged();
      throw e;
    }
    observer.wrote(view.namespace(), view.name(), WriteStep.SOURCE_WRITTEN);
    return true;
  }

  /**
   * Puts every key the policy wrote back as it was (the policy is going away, or no longer writes
   * in place), then deletes the backup: never before the original is back. A Secret of the backup's
   * name that the policy does not own stays as it is; a source that is gone needs nothing put back.
   */
  void restore(PostgresConnectionPolicy policy, PolicyView view) {
    Optional<Secret> secret =
        read(view.namespace(), view.backupSecretName())
            .filter(b -> ManagedSecrets.ownedBy(b, policy));
    if (secret.isEmpty()) return;
    InPlaceBackup backup = InPlaceBackup.of(secret.get(), view.source().getName());
    for (int attempt = 1; ; attempt++) {
      Optional<Secret> source = read(view.namespace(), backup.source());
      if (source.isEmpty()) break;
      // A value someone else wrote since the last reconcile (a rotation) is the one to keep.
      InPlaceBackup latest =
          backup.adopting(source.get(), view.source().getKey(), backup.generation()).orElse(backup);
      try {
        // Applying only the originals releases the keys that were absent: they are removed.
        applyToSource(view.namespace(), source.get(), latest.originals());
        observer.wrote(view.namespace(), view.name(), WriteStep.SOURCE_RESTORED);
        break;
      } catch (KubernetesClientException e) {
        // Changed (409) or deleted (404) since the read: read it again, a few times, then let the
        // caller retry later with the backup still there.
        if ((e.getCode() != 409 && e.getCode() != 404) || attempt >= 3) throw e;
      }
    }
    var backupSecret =
        client.secrets().inNamespace(view.namespace()).withName(view.backupSecretName());
    try {
      backupSecret.patch(PatchContext.of(PatchType.STRATEGIC_MERGE), InPlaceBackupFormat.RELEASE);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) throw e;
    }
    observer.wrote(view.namespace(), view.name(), WriteStep.BACKUP_RELEASED);
    backupSecret.delete();
    observer.wrote(view.namespace(), view.name(), WriteStep.BACKUP_DELETED);
  }

  /** The original value saved in this policy's backup, if there is one. */
  Optional<String> savedOriginal(PostgresConnectionPolicy policy, PolicyView view) {
    try {
      return backup(policy, view).flatMap(b -> b.original(view.source().getKey()));
    } catch (PolicyFailure e) {
      return Optional.empty();
    }
  }

  private Optional<InPlaceBackup> backup(PostgresConnectionPolicy policy, PolicyView view)
      throws PolicyFailure {
    Optional<Secret> secret = read(view.namespace(), view.backupSecretName());
    if (secret.isPresent() && !ManagedSecrets.ownedBy(secret.get(), policy)) {
      throw new PolicyFailure(
          PolicyFailure.Reason.BACKUP_SECRET_CONFLICT,
          "Secret "
              + view.namespace()
              + "/"
              + view.backupSecretName()
              + " exists and is not"
              + " this policy's backup of the original, so in place mode will not overwrite it:"
              + " rename or delete that Secret, or give the policy another name");
    }
    return secret.map(s -> InPlaceBackup.of(s, view.source().getName()));
  }

  /** A server-side apply that only succeeds on the source as it was read. */
  private void applyToSource(String namespace, Secret source, SortedMap<String, String> data) {
    Secret patch =
        new SecretBuilder()
            .withNewMetadata()
            .withName(source.getMetadata().getName())
            .withNamespace(namespace)
            .withResourceVersion(source.getMetadata().getResourceVersion())
            .endMetadata()
            .withData(ManagedSecrets.encode(data))
            .build();
    client
        .secrets()
        .inNamespace(namespace)
        .resource(patch)
        .fieldManager(OperatorIdentity.FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();
  }

  private void save(PostgresConnectionPolicy policy, PolicyView view, InPlaceBackup backup) {
    save(policy, view, backup, WriteStep.BACKUP_SAVED);
  }

  private void save(
      PostgresConnectionPolicy policy, PolicyView view, InPlaceBackup backup, WriteStep step) {
    client
        .secrets()
        .inNamespace(view.namespace())
        .resource(InPlaceBackupFormat.secret(policy, view.backupSecretName(), backup))
        .fieldManager(OperatorIdentity.FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();
    observer.wrote(view.namespace(), view.name(), step);
  }

  private Optional<Secret> read(String namespace, String name) {
    // Read fresh, not from a cache: a stale read here would look like a revert.
    return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
  }

  private static PolicyFailure conflictingWriter(PolicyView view, int reverts) {
    return new PolicyFailure(
        PolicyFailure.Reason.CONFLICTING_WRITER,
        "another writer restored the original value of key "
            + view.source().getKey()
            + " in Secret "
            + view.source().getName()
            + " "
            + reverts
            + " times after the"
            + " operator rewrote it; the operator stopped rewriting it. Let that writer ignore the"
            + " key (Argo CD ignoreDifferences, Flux/External Secrets: stop templating it) or set"
            + " spec.target.secretName to a separate Secret; changing the policy resumes.");
  }
}
