package io.pgconn.operator.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the package names promise: url and budget are pure (no Kubernetes, no Micronaut, no
 * I/O, no other package of ours but url for budget's inputs), and only app knows Micronaut.
 */
class ArchitectureTest {

  static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.pgconn.operator");
  }

  @Test
  void urlAndBudgetArePure() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage("..operator.url..", "..operator.budget..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.fabric8..",
                "io.javaoperatorsdk..",
                "io.micronaut..",
                "jakarta..",
                "java.sql..",
                "java.net..",
                "java.nio.file..",
                "java.io.File..",
                "org.postgresql..",
                "com.zaxxer..",
                "io.pgconn.operator.api..",
                "io.pgconn.operator.probe..",
                "io.pgconn.operator.rollout..",
                "io.pgconn.operator.reconciler..",
                "io.pgconn.operator.app..")
            .because("url and budget are pure: plain values in, plain values out");
    rule.check(classes);
  }

  @Test
  void onlyAppKnowsMicronaut() {
    noClasses()
        .that()
        .resideOutsideOfPackage("..operator.app..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micronaut..", "picocli..")
        .because("the domain packages are wired by app, not by annotations of their own")
        .check(classes);
  }

  @Test
  void domainPackagesDoNotReachIntoTheReconciler() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "..operator.probe..",
            "..operator.rollout..",
            "..operator.budget..",
            "..operator.url..",
            "..operator.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("..operator.reconciler..", "..operator.app..")
        .check(classes);
  }
}
