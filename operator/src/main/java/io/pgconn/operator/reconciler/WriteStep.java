package io.pgconn.operator.reconciler;

/**
 * The writes a policy makes besides its target's content and status, in the order they happen, each
 * reported to {@link PolicyObserver#wrote} once the API server has acknowledged it. In place mode
 * is where the order matters: the backup records before the source is written, and the source is
 * put back before the backup goes, so a crash between any two writes leaves a state the next run
 * completes without losing the original.
 */
public enum WriteStep {
  /** The key of the policy's published hashes was created ({@link HashKeys}). */
  HASH_KEY_CREATED,
  /**
   * In place: the backup was saved with the source's original (on adoption, a rotation adopted, a
   * revert counted).
   */
  BACKUP_SAVED,
  /** In place: the backup recorded what is about to be written and each written key's value. */
  WRITE_RECORDED,
  /** In place: the source was rewritten. */
  SOURCE_WRITTEN,
  /** In place ended (the policy is deleted or writes elsewhere now): every key was put back. */
  SOURCE_RESTORED,
  /** In place ended: the backup's finalizer, which kept it through sweeping deletions, is gone. */
  BACKUP_RELEASED,
  /** In place ended: the backup was deleted. The policy's finalizer goes next, if it is deleted. */
  BACKUP_DELETED
}
