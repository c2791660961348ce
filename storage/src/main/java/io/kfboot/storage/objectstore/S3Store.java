package io.kfboot.storage.objectstore;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 API endpoint and the keys for it. In-cluster stores (MinIO, SeaweedFS) answer path-style
 * requests only and ignore the region, so both are the defaults.
 *
 * @param endpoint e.g. http://127.0.0.1:9000 (a port-forward)
 */
public record S3Store(
    URI endpoint, String accessKey, String secretKey, String region, boolean pathStyle) {

  public S3Store(URI endpoint, String accessKey, String secretKey) {
    this(endpoint, accessKey, secretKey, "us-east-1", true);
  }

  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .forcePathStyle(pathStyle)
        // MinIO of 2019 (up to v1.10.2) and SeaweedFS know no trailing checksums, which the SDK
        // sends by default since 2.30
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .build();
  }

  /** Never the secret key. */
  @Override
  public String toString() {
    return endpoint + " (access key " + accessKey + ")";
  }
}
