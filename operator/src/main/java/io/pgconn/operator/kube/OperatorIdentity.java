package io.pgconn.operator.kube;

/**
 * How the operator names itself to the API server: the field manager of every server-side apply,
 * the managed-by label of the Secrets it writes, and the source of its Events. One name, so that
 * {@code kubectl get --show-managed-fields}, label selectors and {@code kubectl get events} agree.
 */
public final class OperatorIdentity {

  public static final String NAME = "pgconn-operator";
  public static final String FIELD_MANAGER = NAME;
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_SELECTOR = MANAGED_BY_LABEL + "=" + NAME;

  private OperatorIdentity() {}
}
