package io.pgconn.operator.url;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine stays pure: plain JDK value code, no Kubernetes, Micronaut, I/O or shared state. */
class UrlPackagePurityTest {

  private static final JavaClasses ENGINE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.pgconn.operator.url");

  @Test
  void dependsOnlyOnTheJdkCore() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.pgconn.operator.url..",
            "java.lang..",
            "java.util..",
            "java.nio",
            "java.nio.charset")
        .check(ENGINE);
  }

  @Test
  void hasNoMutableStaticState() {
    fields().that().areStatic().should().beFinal().check(ENGINE);
  }
}
