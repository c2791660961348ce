package io.kfboot.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.conditions.ArchConditions.setFieldWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.kfboot.core.KfbootException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/**
 * The module graph is the architecture. Maven already forbids cycles between modules; these rules
 * keep the directions DEVELOPERS.md sets. No rule may pass empty: a rule whose classes are gone
 * fails, and {@link #everyPackageTheRulesNameHasClasses} fails when a package they name is renamed.
 */
class ArchitectureTest {
  private static JavaClasses kfboot;

  /**
   * Every package a rule below names; each must hold classes, or the rules about it say nothing.
   */
  static final List<String> PACKAGES =
      List.of(
          "io.kfboot.core",
          "io.kfboot.manifests",
          "io.kfboot.verify",
          "io.kfboot.bootstrap",
          "io.kfboot.bootstrap.ssh",
          "io.kfboot.components",
          "io.kfboot.gpu",
          "io.kfboot.storage",
          "io.kfboot.platform",
          "io.kfboot.stacks",
          "io.kfboot.cli");

  @BeforeAll
  static void importClasses() {
    kfboot =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the modules' test-jars (test servers, fakes) are on this classpath too
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.kfboot");
  }

  private static void check(ArchRule rule) {
    rule.allowEmptyShould(false).check(kfboot);
  }

  @Test
  void everyPackageTheRulesNameHasClasses() {
    for (String p : PACKAGES) {
      assertThat(
              kfboot.stream()
                  .filter(
                      c -> c.getPackageName().equals(p) || c.getPackageName().startsWith(p + "."))
                  .count())
          .as("classes in " + p)
          .isPositive();
    }
  }

  @Test
  void onlyCliUsesPicocli() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("io.kfboot.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("picocli.."));
  }

  @Test
  void onlyCliHasMain() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("io.kfboot.cli..")
            .should()
            .haveSimpleName("Main"));
    check(classes().that().haveSimpleName("Main").should().resideInAPackage("io.kfboot.cli"));
  }

  @Test
  void theCoreDependsOnNoOtherKfbootPackage() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.kfboot.manifests..",
                "io.kfboot.verify..",
                "io.kfboot.bootstrap..",
                "io.kfboot.components..",
                "io.kfboot.gpu..",
                "io.kfboot.storage..",
                "io.kfboot.platform..",
                "io.kfboot.stacks..",
                "io.kfboot.cli..",
                "io.fabric8..",
                "com.jcraft..",
                "com.pulumi.."));
  }

  @Test
  void everyKfbootFailureExtendsTheOneRoot() {
    check(
        classes()
            .that()
            .resideInAPackage("io.kfboot..")
            .and()
            .areAssignableTo(Throwable.class)
            .should()
            .beAssignableTo(KfbootException.class));
  }

  @Test
  void manifestsKnowsNothingOfHostsClustersOrOtherModules() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.manifests..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.kfboot.components..",
                "io.kfboot.bootstrap..",
                "io.kfboot.verify..",
                "io.kfboot.gpu..",
                "io.kfboot.storage..",
                "io.kfboot.platform..",
                "io.kfboot.stacks..",
                "io.kfboot.cli..",
                "io.fabric8.kubernetes.client..",
                "com.jcraft..",
                "com.pulumi.."));
  }

  @Test
  void verifyNeverUsesPulumiSshOrReleases() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.verify..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "com.pulumi..",
                "com.jcraft..",
                "io.kfboot.bootstrap..",
                "io.kfboot.manifests..",
                "io.kfboot.platform..",
                "io.kfboot.stacks..",
                "io.kfboot.cli.."));
  }

  @Test
  void onlyStacksUsesPulumi() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("io.kfboot.stacks..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("com.pulumi.."));
  }

  @Test
  void componentsNeverReachHostsOrFrontEnds() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.components..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.kfboot.bootstrap..",
                "io.kfboot.platform..",
                "io.kfboot.stacks..",
                "io.kfboot.cli..",
                "com.jcraft.."));
  }

  @Test
  void stacksUseBootstrapOutputsNotItsTransport() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.stacks..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.jcraft..", "io.kfboot.bootstrap.ssh..", "io.kfboot.cli.."));
  }

  @Test
  void onlyTheSshTransportUsesJsch() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("io.kfboot.bootstrap.ssh..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("com.jcraft.."));
  }

  @Test
  void hostsNeverReachClustersOrReleases() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.bootstrap..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.kfboot.components..",
                "io.kfboot.manifests..",
                "io.kfboot.platform..",
                "io.kfboot.stacks..",
                "io.kfboot.cli..",
                "io.fabric8..",
                "com.pulumi.."));
  }

  @Test
  void gpuAndStorageAreSiblingsThatReachHostsOnlyThroughSteps() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.gpu..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.kfboot.storage..",
                "io.kfboot.platform..",
                "io.kfboot.stacks..",
                "io.kfboot.cli..",
                "io.kfboot.bootstrap.ssh..",
                "com.jcraft..",
                "com.pulumi.."));
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.storage..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.kfboot.gpu..",
                "io.kfboot.platform..",
                "io.kfboot.stacks..",
                "io.kfboot.cli..",
                "io.kfboot.bootstrap.ssh..",
                "com.jcraft..",
                "com.pulumi.."));
  }

  @Test
  void thePlatformServesBothFrontEndsAndKnowsNeither() {
    check(
        noClasses()
            .that()
            .resideInAPackage("io.kfboot.platform..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.kfboot.stacks..",
                "io.kfboot.cli..",
                "picocli..",
                "com.pulumi..",
                "com.jcraft.."));
  }

  /**
   * What a command may print besides what the platform gives: the result records of the modules.
   */
  static final Set<String> RESULT_RECORDS =
      Set.of(
          "io.kfboot.components.install.InstallReport",
          "io.kfboot.components.install.InstallReport$ComponentResult",
          "io.kfboot.components.install.InstallState",
          "io.kfboot.components.plan.InstallPlan",
          "io.kfboot.components.plan.PlannedComponent",
          "io.kfboot.components.plan.ImageInventory",
          "io.kfboot.components.plan.ImageInventory$Entry",
          "io.kfboot.components.plan.ImageInventory$Source",
          "io.kfboot.manifests.parse.ImageRef",
          "io.kfboot.components.auth.Credentials",
          "io.kfboot.components.auth.Credentials$Loaded",
          "io.kfboot.components.auth.Credentials$UserPassword",
          "io.kfboot.components.check.CheckResult",
          "io.kfboot.components.profiles.ProfileSync$Report",
          "io.kfboot.components.profiles.ProfileSync$Listed",
          "io.kfboot.verify.check.CheckResult",
          "io.kfboot.verify.check.Reports",
          "io.kfboot.verify.check.VerifyCheck",
          "io.kfboot.bootstrap.steps.StepRunner$Result",
          "io.kfboot.bootstrap.steps.StepRunner$Status",
          "io.kfboot.bootstrap.k3s.K3sUpgrade$Outcome",
          "io.kfboot.bootstrap.k3s.K3sUpgrade$Plan",
          "io.kfboot.bootstrap.k3s.K3sUpgrade$NodeState",
          "io.kfboot.bootstrap.k3s.Datastore$Snapshot",
          "io.kfboot.bootstrap.inventory.K3sVersion",
          "io.kfboot.bootstrap.inventory.Inventory$Role",
          "io.kfboot.gpu.GpuUsage",
          "io.kfboot.gpu.GpuUsage$NodeUsage",
          "io.kfboot.gpu.GpuUsage$PodGpus",
          "io.kfboot.manifests.source.ReleaseTree",
          "io.kfboot.manifests.source.ReleaseRef",
          "io.kfboot.gpu.CudaSmokeTest",
          "io.kfboot.gpu.CudaSmokeTest$Result",
          "io.kfboot.manifests.vendor.VendorResult",
          "io.kfboot.manifests.vendor.VendorResult$VendoredSource");

  @Test
  void commandsAreAdaptersOverThePlatform() {
    DescribedPredicate<JavaClass> allowed =
        describe(
            "the platform, picocli, the JDK, the CLI itself or a result record",
            c ->
                c.getPackageName().startsWith("io.kfboot.platform")
                    || c.getPackageName().startsWith("io.kfboot.cli")
                    || c.getPackageName().startsWith("io.kfboot.core")
                    || c.getPackageName().startsWith("picocli")
                    || c.getPackageName().startsWith("java")
                    || c.isPrimitive()
                    || c.isArray() && c.getBaseComponentType().isPrimitive()
                    || RESULT_RECORDS.contains(c.getName()));
    check(
        classes().that().areAnnotatedWith(Command.class).should().onlyDependOnClassesThat(allowed));
  }

  @Test
  void noClassAssignsAnotherCommandsFields() {
    DescribedPredicate<JavaFieldAccess> foreign =
        describe(
            "a field of another @Command class",
            a ->
                a.getTargetOwner().isAnnotatedWith(Command.class)
                    && !a.getOriginOwner().equals(a.getTargetOwner()));
    check(noClasses().that().resideInAPackage("io.kfboot..").should(setFieldWhere(foreign)));
  }

  @Test
  void exitCodesOnlyInCli() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage("io.kfboot.cli..")
            .should()
            .callMethod(System.class, "exit", int.class));
  }
}
