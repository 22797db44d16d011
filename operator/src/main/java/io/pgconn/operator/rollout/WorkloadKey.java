package io.pgconn.operator.rollout;

import io.pgconn.operator.api.WorkloadKind;

public record WorkloadKey(WorkloadKind kind, String namespace, String name) {}
