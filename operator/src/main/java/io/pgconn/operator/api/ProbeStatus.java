package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last probe, as status shows it. A record: status values are built whole, never mutated. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeStatus(
    String time,
    Long latencyMs,
    @JsonPropertyDescription(
            "Success, or the failure reason (e.g. AuthenticationFailed, TooManyConnections).")
        String result,
    String message) {}
