package io.pgconn.operator.api;

/** Enforce: publish new content only after a passing probe. Observe: publish anyway and report. */
public enum ProbeMode {
  Enforce,
  Observe,
  Off
}
