package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last probe, as status shows it. A record: status values are built whole, never mutated. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeStatus(
    @JsonPropertyDescription(
            "When the recorded probe ran (RFC 3339); later probes that found the same are recorded"
                + " at most hourly.")
        String time,
    @JsonPropertyDescription(
            "How long it took to connect and read the server's limits, in milliseconds.")
        Long latencyMs,
    @JsonPropertyDescription(
            "Success, or the failure reason (e.g. AuthenticationFailed, TooManyConnections).")
        String result,
    @JsonPropertyDescription("What the probe found, in words (never a password).")
        String message) {}
