package io.kfboot.storage.stores;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.auth.SecretRef;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.stores.StoresConfig.ObjectStore;
import io.kfboot.core.ExitCategory;
import io.kfboot.storage.objectstore.S3Store;
import io.kfboot.storage.testing.S3Proxies;
import io.kfboot.testing.Skips;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The object-store preflight against a real s3proxy started by the test. */
class ObjectStoreCheckTest {
  static final String ACCESS = "kfp-access";
  static final String SECRET = "kfp-secret-Zk29";
  static S3Proxies s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Proxies.start(ACCESS, SECRET);
    try (S3Client c = s3.store.client()) {
      c.createBucket(b -> b.bucket("kubeflow-artifacts"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  static ObjectStore store(String bucket, boolean pathStyle) {
    return new ObjectStore(
        "pipelines.objectStore.external",
        s3.store.endpoint(),
        "us-east-1",
        bucket,
        pathStyle,
        SecretRef.ofEnv("S3_ACCESS"),
        SecretRef.ofEnv("S3_SECRET"));
  }

  static CheckResult check(ObjectStore store, String access, String secret) {
    return new ObjectStoreCheck()
        .check(store, SecretValues.from(Map.of("S3_ACCESS", access, "S3_SECRET", secret)));
  }

  @Test
  void theRightKeysWriteReadListAndDeleteAProbeThatIsGoneAfterwards() {
    CheckResult r = check(store("kubeflow-artifacts", true), ACCESS, SECRET);
    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.findings())
        .anyMatch(f -> f.startsWith("bucket kubeflow-artifacts at http://127.0.0.1:"))
        .contains("a probe object was written, read, listed and deleted");
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("endpoint is plain http"));
    try (S3Client c = s3.store.client()) {
      assertThat(c.listObjectsV2(b -> b.bucket("kubeflow-artifacts")).contents())
          .as("the probe is removed")
          .isEmpty();
    }
    assertThat(String.join("\n", r.findings())).doesNotContain(SECRET);
  }

  @Test
  void aRunsArtifactsAreFoundByItsIdOverMoreThanOnePage() {
    String run = "0b5e3c1a-run";
    try (S3Client c = s3.store.client()) {
      c.createBucket(b -> b.bucket("run-artifacts"));
      // more keys than one listing page (1000) holds, the run's on the second page
      for (int i = 0; i < 1003; i++) {
        String key = String.format("private-artifacts/team/v2/artifacts/other/%04d/x", i);
        c.putObject(b -> b.bucket("run-artifacts").key(key), RequestBody.fromString("x"));
      }
      c.putObject(
          b -> b.bucket("run-artifacts").key("zz/kfboot-verify/" + run + "/say/kfboot-marker"),
          RequestBody.fromString("kfboot: pipeline step ran"));
    }
    ObjectStore store = store("run-artifacts", true);
    S3Store keyed =
        ObjectStoreCheck.s3(
            store, SecretValues.from(Map.of("S3_ACCESS", ACCESS, "S3_SECRET", SECRET)));
    assertThat(RunArtifacts.keys(keyed, "run-artifacts", run))
        .containsExactly("zz/kfboot-verify/" + run + "/say/kfboot-marker");
    assertThat(RunArtifacts.keys(keyed, "run-artifacts", "another-run")).isEmpty();
  }

  @Test
  void aReadOnlyBucketIsNamedAndNothingIsLeftInIt() throws Exception {
    try (S3Proxies readOnly = S3Proxies.startReadOnly(ACCESS, SECRET, "archive")) {
      ObjectStore store =
          new ObjectStore(
              "pipelines.objectStore.external",
              readOnly.store.endpoint(),
              "us-east-1",
              "archive",
              true,
              SecretRef.ofEnv("S3_ACCESS"),
              SecretRef.ofEnv("S3_SECRET"));
      CheckResult r = check(store, ACCESS, SECRET);
      assertThat(r.passed()).isFalse();
      assertThat(r.findings()).anyMatch(f -> f.startsWith("bucket archive at"));
      assertThat(r.problem())
          .isEqualTo(
              "pipelines.objectStore.external: bucket archive may be listed but not written (HTTP"
                  + " 501 to write): Pipelines writes every artifact there");
      assertThat(r.fix()).contains("keys that may write and delete");
      try (S3Client c = readOnly.store.client()) {
        assertThat(c.listObjectsV2(b -> b.bucket("archive")).contents()).isEmpty();
      }
    }
  }

  @Test
  void aMissingBucketIsNamedWithHowToMakeIt() {
    CheckResult r = check(store("no-such-bucket", true), ACCESS, SECRET);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith("pipelines.objectStore.external.bucket: no-such-bucket does not exist");
    assertThat(r.fix()).contains("aws s3 mb s3://no-such-bucket");
  }

  @Test
  void wrongKeysNameTheFieldAndTheSourceNeverTheValue() {
    CheckResult access = check(store("kubeflow-artifacts", true), "nobody", SECRET);
    assertThat(access.passed()).isFalse();
    assertThat(access.problem()).startsWith("pipelines.objectStore.external.accessKeyRef:");
    assertThat(access.fix()).contains("environment variable S3_ACCESS");

    CheckResult secret = check(store("kubeflow-artifacts", true), ACCESS, "wrong-secret-Qq1");
    assertThat(secret.passed()).isFalse();
    assertThat(secret.problem())
        .startsWith("pipelines.objectStore.external.secretKeyRef:")
        .doesNotContain("wrong-secret-Qq1");
    assertThat(secret.category()).isEqualTo(ExitCategory.INVALID_INPUT);
  }

  @Test
  void virtualHostAddressingOnAPathStyleStoreNamesPathStyle() {
    // by name: the SDK falls back to path-style for an IP address by itself
    boolean resolves;
    try {
      InetAddress.getByName("kubeflow-artifacts.localhost");
      resolves = true;
    } catch (UnknownHostException e) {
      resolves = false;
    }
    if (resolves) {
      Skips.unavailable(
          false,
          "this machine resolves kubeflow-artifacts.localhost (nss-myhostname), so virtual-host"
              + " addressing reaches the store");
    }
    ObjectStore byName =
        new ObjectStore(
            "pipelines.objectStore.external",
            URI.create("http://localhost:" + s3.store.endpoint().getPort()),
            "us-east-1",
            "kubeflow-artifacts",
            false,
            SecretRef.ofEnv("S3_ACCESS"),
            SecretRef.ofEnv("S3_SECRET"));
    CheckResult r = check(byName, ACCESS, SECRET);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith(
            "pipelines.objectStore.external.endpoint: cannot reach kubeflow-artifacts.localhost");
    assertThat(r.fix()).startsWith("set pathStyle: true");
    assertThat(r.category()).isEqualTo(ExitCategory.NETWORK);
  }
}
