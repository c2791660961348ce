package io.kfboot.storage.stores;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.stores.StoresConfig.ObjectStore;
import io.kfboot.core.ExitCategory;
import io.kfboot.storage.objectstore.S3Store;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Does against the external S3 store what Pipelines will do, before it runs: with the configured
 * keys, region and addressing, list the bucket, then write, read, list and delete a probe object
 * under {@value #PROBE_PREFIX}. The probe is always removed; nothing else is written.
 */
public final class ObjectStoreCheck {
  public static final String PROBE_PREFIX = ".kfboot-probe/";

  /** The configured store with its keys read, as every client of kfboot's reaches it. */
  public static S3Store s3(ObjectStore store, SecretValues secrets) {
    return new S3Store(
        store.endpoint(),
        secrets.value(store.accessKey(), store.where() + ".accessKeyRef"),
        secrets.value(store.secretKey(), store.where() + ".secretKeyRef"),
        store.region(),
        store.pathStyle());
  }

  public CheckResult check(ObjectStore store, SecretValues secrets) {
    List<String> findings = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    S3Store s3 = s3(store, secrets);
    if (!store.tls()) {
      warnings.add(
          "endpoint is plain http: keys are signed, but artifacts cross the network in clear");
    }
    String bucket = store.bucket();
    String key = PROBE_PREFIX + UUID.randomUUID();
    String stage = "list";
    boolean written = false;
    try (S3Client c = s3.client()) {
      c.listObjectsV2(b -> b.bucket(bucket).maxKeys(1));
      findings.add(
          "bucket "
              + bucket
              + " at "
              + store.endpoint()
              + (store.pathStyle() ? " (path-style)" : " (virtual-host style)")
              + ", region "
              + store.region());
      stage = "write";
      byte[] body = ("kfboot probe " + key).getBytes(StandardCharsets.UTF_8);
      c.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
      written = true;
      stage = "read";
      byte[] back = c.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
      if (!Arrays.equals(body, back)) {
        return failed(
            store,
            findings,
            warnings,
            store.where() + ": the probe object read back differs from what was written",
            "check the store; a proxy in between may change objects",
            ExitCategory.UNEXPECTED_STATE);
      }
      stage = "list";
      boolean listed =
          c.listObjectsV2(b -> b.bucket(bucket).prefix(key)).contents().stream()
              .anyMatch(o -> o.key().equals(key));
      if (!listed) {
        return failed(
            store,
            findings,
            warnings,
            store.where() + ": the probe object was written but the listing does not show it",
            "check the store's listing consistency",
            ExitCategory.UNEXPECTED_STATE);
      }
      stage = "delete";
      c.deleteObject(b -> b.bucket(bucket).key(key));
      written = false;
      findings.add("a probe object was written, read, listed and deleted");
      return CheckResult.passed(store.where(), "s3", findings, warnings);
    } catch (S3Exception e) {
      return failure(store, findings, warnings, e, stage);
    } catch (SdkClientException e) {
      return unreachable(store, findings, warnings, e);
    } finally {
      if (written) {
        removeProbe(s3, bucket, key);
      }
    }
  }

  private static void removeProbe(S3Store s3, String bucket, String key) {
    try (S3Client c = s3.client()) {
      c.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (RuntimeException e) {
      // the check's own failure is what is reported; the probe key is named in docs/stores.md
    }
  }

  private static CheckResult failure(
      ObjectStore store,
      List<String> findings,
      List<String> warnings,
      S3Exception e,
      String stage) {
    String code =
        e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    String at = store.where();
    return switch (code) {
      case "NoSuchBucket" ->
          failed(
              store,
              findings,
              warnings,
              at + ".bucket: " + store.bucket() + " does not exist at " + store.endpoint(),
              "create it (aws s3 mb s3://"
                  + store.bucket()
                  + " --endpoint-url "
                  + store.endpoint()
                  + "), or name the bucket that exists",
              ExitCategory.INVALID_INPUT);
      case "InvalidAccessKeyId" ->
          failed(
              store,
              findings,
              warnings,
              at + ".accessKeyRef: the store knows no such access key",
              "check the key in " + store.accessKey().describe(),
              ExitCategory.INVALID_INPUT);
      case "SignatureDoesNotMatch" ->
          failed(
              store,
              findings,
              warnings,
              at + ".secretKeyRef: the store refused the request's signature (wrong secret key)",
              "check the key in " + store.secretKey().describe(),
              ExitCategory.INVALID_INPUT);
      case "AuthorizationHeaderMalformed",
          "PermanentRedirect",
          "IllegalLocationConstraintException" ->
          failed(
              store,
              findings,
              warnings,
              at + ".region: the bucket is not in " + store.region() + " (" + e.getMessage() + ")",
              "set region to the bucket's region",
              ExitCategory.INVALID_INPUT);
      case "AccessDenied" ->
          failed(
              store,
              findings,
              warnings,
              at + ": the keys may not " + stage + " in bucket " + store.bucket(),
              "grant the keys s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on"
                  + " the bucket",
              ExitCategory.INVALID_INPUT);
      default ->
          readOnly(e, stage)
              ? failed(
                  store,
                  findings,
                  warnings,
                  at
                      + ": bucket "
                      + store.bucket()
                      + " may be listed but not written (HTTP "
                      + e.statusCode()
                      + " to "
                      + stage
                      + "): Pipelines writes every artifact there",
                  "give keys that may write and delete in the bucket, or name a writable bucket",
                  ExitCategory.INVALID_INPUT)
              : failed(
                  store,
                  findings,
                  warnings,
                  at + ": the store answered " + e.statusCode() + " " + code + " to " + stage,
                  "check the endpoint, the bucket and the keys",
                  ExitCategory.INVALID_INPUT);
    };
  }

  /**
   * A write refused after the listing worked, as read-only stores refuse it: 405 Method Not Allowed
   * or 501 Not Implemented (s3proxy's read-only mode, MinIO gateways); AccessDenied is named above.
   */
  private static boolean readOnly(S3Exception e, String stage) {
    return (stage.equals("write") || stage.equals("delete"))
        && (e.statusCode() == 405 || e.statusCode() == 501);
  }

  private static CheckResult unreachable(
      ObjectStore store, List<String> findings, List<String> warnings, SdkClientException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    boolean unknownHost = root instanceof UnknownHostException;
    String problem =
        store.where()
            + ".endpoint: cannot reach "
            + (unknownHost && !store.pathStyle()
                ? store.bucket() + "." + store.endpoint().getHost()
                : store.endpoint().getHost() + ":" + store.port())
            + " ("
            + (unknownHost ? "unknown host" : String.valueOf(root.getMessage()))
            + ")";
    String fix =
        unknownHost && !store.pathStyle()
            ? "set pathStyle: true: virtual-host addressing puts the bucket in the host name,"
                + " which only AWS-style DNS resolves (MinIO, Ceph and most others want path-style)"
            : "check the endpoint, and that this machine reaches it (the cluster's nodes must too)";
    return failed(store, findings, warnings, problem, fix, ExitCategory.NETWORK);
  }

  private static CheckResult failed(
      ObjectStore store,
      List<String> findings,
      List<String> warnings,
      String problem,
      String fix,
      ExitCategory category) {
    return CheckResult.failed(store.where(), "s3", findings, warnings, problem, fix, category);
  }
}
