package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One line of the troubleshooting checklist, as the last probe evaluated it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyCheck(
    @JsonPropertyDescription("e.g. ssl-enabled, usage-below-80-percent.") String name,
    @JsonPropertyDescription("Pass | Fail | Unknown.") String status,
    @JsonPropertyDescription("What the check found, and how to fix it when it failed.")
        String message) {}
