package io.pgconn.operator.api;

/**
 * What happens to the target Secret when its policy is deleted (External Secrets' spelling). Retain
 * writes the target without an owner reference, so neither the garbage collector nor the operator
 * deletes it: pods that read it keep working when a policy is deleted or pruned. Delete writes it
 * with the policy's owner reference, so it goes with the policy.
 */
public enum DeletionPolicy {
  Retain,
  Delete
}
