package io.pgconn.operator.reconciler;

public record SecretId(String namespace, String name) {

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
