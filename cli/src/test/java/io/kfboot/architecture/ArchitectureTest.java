package io.kfboot.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph is the architecture. Maven already forbids cycles between modules; these rules
 * keep the directions DEVELOPERS.md sets, including for modules that have no classes yet (such a
 * rule starts biting when the first class lands).
 */
class ArchitectureTest {
  private static JavaClasses kfboot;

  @BeforeAll
  static void importClasses() {
    kfboot = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.kfboot");
  }

  private static void check(ArchRule rule) {
    rule.allowEmptyShould(true).check(kfboot);
  }

  @Test
  void onlyCliUsesPicocli() {
    check(noClasses().that().resideOutsideOfPackage("io.kfboot.cli..").should().dependOnClassesThat().resideInAPackage("picocli.."));
  }

  @Test
  void onlyCliHasMain() {
    check(noClasses().that().resideOutsideOfPackage("io.kfboot.cli..")
        .should().haveSimpleName("Main"));
    check(classes().that().haveSimpleName("Main").should().resideInAPackage("io.kfboot.cli"));
  }

  @Test
  void manifestsKnowsNothingOfHostsClustersOrOtherModules() {
    check(noClasses().that().resideInAPackage("io.kfboot.manifests..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.kfboot.components..", "io.kfboot.bootstrap..", "io.kfboot.verify..", "io.kfboot.gpu..",
            "io.kfboot.storage..", "io.kfboot.stacks..", "io.kfboot.cli..",
            "io.fabric8.kubernetes.client..", "com.jcraft..", "com.pulumi.."));
  }

  @Test
  void verifyNeverUsesPulumiOrSsh() {
    check(noClasses().that().resideInAPackage("io.kfboot.verify..")
        .should().dependOnClassesThat().resideInAnyPackage("com.pulumi..", "com.jcraft..", "io.kfboot.bootstrap..", "io.kfboot.stacks..", "io.kfboot.cli.."));
  }

  @Test
  void onlyStacksUsesPulumi() {
    check(noClasses().that().resideOutsideOfPackages("io.kfboot.stacks..", "io.kfboot.cli..")
        .should().dependOnClassesThat().resideInAPackage("com.pulumi.."));
  }

  @Test
  void componentsNeverReachHostsOrStacks() {
    check(noClasses().that().resideInAPackage("io.kfboot.components..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kfboot.bootstrap..", "io.kfboot.stacks..", "io.kfboot.cli..", "com.jcraft.."));
  }

  @Test
  void stacksUseBootstrapOutputsNotItsTransport() {
    check(noClasses().that().resideInAPackage("io.kfboot.stacks..")
        .should().dependOnClassesThat().resideInAnyPackage("com.jcraft..", "io.kfboot.bootstrap.ssh..", "io.kfboot.cli.."));
  }

  @Test
  void onlyTheSshTransportUsesJsch() {
    check(noClasses().that().resideOutsideOfPackage("io.kfboot.bootstrap.ssh..")
        .should().dependOnClassesThat().resideInAPackage("com.jcraft.."));
  }

  @Test
  void hostsNeverReachClustersOrReleases() {
    check(noClasses().that().resideInAPackage("io.kfboot.bootstrap..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kfboot.components..", "io.kfboot.manifests..", "io.kfboot.stacks..",
            "io.kfboot.cli..", "io.fabric8..", "com.pulumi.."));
  }

  @Test
  void gpuAndStorageAreSiblingsThatReachHostsOnlyThroughSteps() {
    check(noClasses().that().resideInAPackage("io.kfboot.gpu..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kfboot.storage..", "io.kfboot.stacks..", "io.kfboot.cli..",
            "io.kfboot.bootstrap.ssh..", "com.jcraft..", "com.pulumi.."));
    check(noClasses().that().resideInAPackage("io.kfboot.storage..")
        .should().dependOnClassesThat().resideInAnyPackage("io.kfboot.gpu..", "io.kfboot.stacks..", "io.kfboot.cli..",
            "io.kfboot.bootstrap.ssh..", "com.jcraft..", "com.pulumi.."));
  }

  @Test
  void exitCodesOnlyInCli() {
    check(noClasses().that().resideOutsideOfPackage("io.kfboot.cli..")
        .should().callMethod(System.class, "exit", int.class));
  }
}
