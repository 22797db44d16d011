package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

public class TargetSpec {

  @JsonPropertyDescription(
      "Secret the operator writes and owns. Default <policy name>-connection. Naming the"
          + " source Secret itself rewrites its key in place; the original value is first saved in a Secret"
          + " owned by the policy (<policy name>-original).")
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @Size(max = 253)
  private String secretName;

  @Size(max = 16)
  @ValidationRule(
      value = "self.all(o, self.exists_one(p, p.key == o.key))",
      message = "each output needs its own key")
  @JsonPropertyDescription(
      "One entry per key to write. Default: [{key: DATABASE_URL, format: prisma}].")
  private List<OutputSpec> outputs = new ArrayList<>();

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public List<OutputSpec> getOutputs() {
    return outputs;
  }

  public void setOutputs(List<OutputSpec> outputs) {
    this.outputs = outputs;
  }
}
