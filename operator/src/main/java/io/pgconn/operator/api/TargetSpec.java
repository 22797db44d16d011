package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

public class TargetSpec {

  @JsonPropertyDescription("Secret the operator writes and owns. Default <policy name>-connection. Naming the"
      + " source Secret itself rewrites its key in place; the original value is first saved in a Secret"
      + " owned by the policy (<policy name>-original).")
  private String secretName;

  @JsonPropertyDescription("One entry per key to write. Default: [{key: DATABASE_URL, format: prisma}].")
  private List<OutputSpec> outputs = new ArrayList<>();

  public String getSecretName() { return secretName; }
  public void setSecretName(String secretName) { this.secretName = secretName; }
  public List<OutputSpec> getOutputs() { return outputs; }
  public void setOutputs(List<OutputSpec> outputs) { this.outputs = outputs; }
}
