package io.pgconn.operator.api;

public enum RestartPolicy {
  OnChange,
  Never
}
