package io.pgconn.operator.budget;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The budget stays pure arithmetic: plain JDK value code, no Kubernetes, Micronaut, I/O or shared
 * state.
 */
class BudgetPackagePurityTest {

  private static final JavaClasses BUDGET =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.pgconn.operator.budget");

  @Test
  void dependsOnlyOnTheJdkCore() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("io.pgconn.operator.budget..", "java.lang..", "java.util..")
        .check(BUDGET);
  }

  @Test
  void hasNoMutableStaticState() {
    fields().that().areStatic().should().beFinal().check(BUDGET);
  }
}
