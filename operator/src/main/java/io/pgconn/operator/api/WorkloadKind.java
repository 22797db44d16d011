package io.pgconn.operator.api;

public enum WorkloadKind { Deployment, StatefulSet, DaemonSet }
