package io.pgconn.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrinterColumnOrderTest {

  /** As the generator writes it: sorted by JSON path, so Age comes first. */
  static final String GENERATED =
      """
      spec:
        versions:
        - additionalPrinterColumns:
          - jsonPath: ".metadata.creationTimestamp"
            name: "Age"
            priority: 0
            type: "date"
          - jsonPath: ".status.conditions[?(@.type==\\"Ready\\")].reason"
            name: "Reason"
            priority: 0
            type: "string"
          - jsonPath: ".status.conditions[?(@.type==\\"Ready\\")].status"
            name: "Ready"
            priority: 0
            type: "string"
          name: "v1alpha1"
          schema: {}
      """;

  @Test
  void columnsComeInTheDeclaredOrderAndNothingElseMoves() {
    String ordered = PrinterColumnOrder.reorder(GENERATED, List.of("Ready", "Reason", "Age"));

    assertThat(ordered)
        .isEqualTo(
            """
            spec:
              versions:
              - additionalPrinterColumns:
                - jsonPath: ".status.conditions[?(@.type==\\"Ready\\")].status"
                  name: "Ready"
                  priority: 0
                  type: "string"
                - jsonPath: ".status.conditions[?(@.type==\\"Ready\\")].reason"
                  name: "Reason"
                  priority: 0
                  type: "string"
                - jsonPath: ".metadata.creationTimestamp"
                  name: "Age"
                  priority: 0
                  type: "date"
                name: "v1alpha1"
                schema: {}
            """);
    assertThat(PrinterColumnOrder.reorder(ordered, List.of("Ready", "Reason", "Age")))
        .as("idempotent")
        .isEqualTo(ordered);
  }

  @Test
  void aColumnNobodyOrderedFailsTheBuild() {
    assertThatThrownBy(() -> PrinterColumnOrder.reorder(GENERATED, List.of("Ready", "Age")))
        .hasMessageContaining("Reason");
  }

  @Test
  void theDeclaredOrderIsReadyFirstAndAgeLast() {
    assertThat(
            java.util.Arrays.stream(
                    PostgresConnectionPolicy.class.getAnnotationsByType(
                        io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.class))
                .map(io.fabric8.crd.generator.annotation.AdditionalPrinterColumn::name))
        .containsExactly("Ready", "Reason", "Limit", "Usage", "SSL", "Server", "Age");
  }
}
