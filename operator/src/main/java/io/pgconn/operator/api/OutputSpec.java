package io.pgconn.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class OutputSpec {

  @Required
  @Pattern("^[-._a-zA-Z0-9]+$")
  @Size(min = 1, max = 64)
  @JsonPropertyDescription("Key in the target Secret.")
  private String key;

  @Default("prisma")
  @JsonPropertyDescription("Client dialect: prisma | libpq | jdbc | pgx | node-postgres | env.")
  private OutputFormatName format = OutputFormatName.prisma;

  @Default("true")
  @JsonPropertyDescription(
      "false writes the same target without pool parameters: for migrations"
          + " (Prisma directUrl). Default true.")
  private Boolean pooled = Boolean.TRUE;

  public OutputSpec() {}

  public OutputSpec(String key, OutputFormatName format, boolean pooled) {
    this.key = key;
    this.format = format;
    this.pooled = pooled;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public OutputFormatName getFormat() {
    return format == null ? OutputFormatName.prisma : format;
  }

  public void setFormat(OutputFormatName format) {
    this.format = format;
  }

  public Boolean getPooled() {
    return pooled == null || pooled;
  }

  public void setPooled(Boolean pooled) {
    this.pooled = pooled;
  }
}
