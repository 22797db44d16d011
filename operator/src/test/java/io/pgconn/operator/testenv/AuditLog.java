package io.pgconn.operator.testenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * kube-apiserver audit logging at Metadata level for Secrets, so a test can see every request
 * made for them (verb and URI with its selectors), whoever made it.
 */
public final class AuditLog {

  private final Path policy;
  private final Path log;

  private AuditLog(Path policy, Path log) {
    this.policy = policy;
    this.log = log;
  }

  public static AuditLog forSecrets() {
    try {
      Path dir = Files.createTempDirectory("pgconn-audit-");
      Path policy = dir.resolve("policy.yaml");
      Files.writeString(policy, """
          apiVersion: audit.k8s.io/v1
          kind: Policy
          omitStages: [RequestReceived]
          rules:
            - level: Metadata
              resources:
                - group: ""
                  resources: ["secrets"]
            - level: None
          """);
      return new AuditLog(policy, dir.resolve("audit.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Secrets and Deployments: also who patched a workload's pod template and under which field
   * manager (the requestURI of an apply patch carries fieldManager=...).
   */
  public static AuditLog forSecretsAndDeployments() {
    try {
      Path dir = Files.createTempDirectory("pgconn-audit-");
      Path policy = dir.resolve("policy.yaml");
      Files.writeString(policy, """
          apiVersion: audit.k8s.io/v1
          kind: Policy
          omitStages: [RequestReceived]
          rules:
            - level: Metadata
              resources:
                - group: ""
                  resources: ["secrets"]
                - group: "apps"
                  resources: ["deployments"]
            - level: None
          """);
      return new AuditLog(policy, dir.resolve("audit.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Map<String, String> apiServerFlags() {
    return Map.of("--audit-policy-file", policy.toString(), "--audit-log-path", log.toString());
  }

  /** verb, request URI and user agent of every audited request. */
  public List<Request> requests() {
    ObjectMapper json = new ObjectMapper();
    List<Request> requests = new ArrayList<>();
    try {
      if (!Files.exists(log)) return requests;
      for (String line : Files.readAllLines(log)) {
        if (line.isBlank()) continue;
        JsonNode event = json.readTree(line);
        requests.add(new Request(event.path("verb").asText(), event.path("requestURI").asText(),
            event.path("userAgent").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return requests;
  }

  public record Request(String verb, String uri, String userAgent) {}
}
