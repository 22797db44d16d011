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
 * kube-apiserver audit logging at Metadata level, so a test can see every request of interest:
 * verb, URI with its selectors, who made it, on which resource, and the answer's status code.
 */
public final class AuditLog {

  private final Path policy;
  private final Path log;

  private AuditLog(Path policy, Path log) {
    this.policy = policy;
    this.log = log;
  }

  /** Every request for Secrets, whoever made it. */
  public static AuditLog forSecrets() {
    return withRule(
        """
        resources:
          - group: ""
            resources: ["secrets"]
        """);
  }

  /**
   * Every request made with a ServiceAccount's credentials (a token, as a pod presents it), on any
   * resource. Requests impersonating a ServiceAccount are audited as their real user, so they are
   * not included.
   */
  public static AuditLog forServiceAccounts() {
    return withRule(
        """
        userGroups: ["system:serviceaccounts"]
        """);
  }

  /** Every request that writes (create, update, patch, delete), whoever made it. */
  public static AuditLog forWrites() {
    return withRule(
        """
        verbs: ["create", "update", "patch", "delete", "deletecollection"]
        """);
  }

  private static AuditLog withRule(String match) {
    try {
      Path dir = Files.createTempDirectory("pgconn-audit-");
      Path policy = dir.resolve("policy.yaml");
      Files.writeString(
          policy,
          """
          apiVersion: audit.k8s.io/v1
          kind: Policy
          omitStages: [RequestReceived]
          rules:
            - level: Metadata
          %s  - level: None
          """
              .formatted(match.indent(4)));
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
      Files.writeString(
          policy,
          """
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

  /**
   * The log is never rotated: the API server's default rotates it at 100 MB, which a 10,000-policy
   * scale run passes, and requests() reads the current file only.
   */
  public Map<String, String> apiServerFlags() {
    return Map.of(
        "--audit-policy-file",
        policy.toString(),
        "--audit-log-path",
        log.toString(),
        "--audit-log-maxsize",
        String.valueOf(Integer.MAX_VALUE));
  }

  /** Every audited request, in the order the API server answered them. */
  public List<Request> requests() {
    ObjectMapper json = new ObjectMapper();
    List<Request> requests = new ArrayList<>();
    try {
      if (!Files.exists(log)) return requests;
      for (String line : Files.readAllLines(log)) {
        if (line.isBlank()) continue;
        JsonNode event = json.readTree(line);
        JsonNode ref = event.path("objectRef");
        requests.add(
            new Request(
                event.path("verb").asText(),
                event.path("requestURI").asText(),
                event.path("userAgent").asText(),
                event.path("user").path("username").asText(),
                ref.path("apiGroup").asText(),
                ref.path("resource").asText(),
                ref.path("subresource").asText(),
                ref.path("namespace").asText(),
                event.path("responseStatus").path("code").asInt(),
                event.path("stage").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return requests;
  }

  /**
   * One audited request. apiGroup, resource, subresource and namespace are empty when they do not
   * apply (the core group, a non-resource URL, a cluster-scoped resource). A watch is audited
   * twice, at ResponseStarted and at ResponseComplete (when it ends); every other request once.
   */
  public record Request(
      String verb,
      String uri,
      String userAgent,
      String user,
      String apiGroup,
      String resource,
      String subresource,
      String namespace,
      int code,
      String stage) {

    /** A watch opened (its ResponseStarted entry): counts each watch once. */
    public boolean watchOpened() {
      return verb.equals("watch") && stage.equals("ResponseStarted");
    }

    /** As RBAC spells what was asked: group/resource[/subresource]:verb. */
    public String permission() {
      return apiGroup
          + "/"
          + resource
          + (subresource.isEmpty() ? "" : "/" + subresource)
          + ":"
          + verb;
    }
  }
}
