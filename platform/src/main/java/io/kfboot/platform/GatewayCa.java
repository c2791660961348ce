package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.gateway.GatewayConfig;
import io.kfboot.components.gateway.GatewayPatch;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * The CA of the gateway's certificate, exported for clients (browsers, the KFP SDK, verify): the
 * {@code ca.crt} cert-manager keeps in the gateway's TLS Secret (with the selfSigned mode, the
 * cluster's own CA; with an existing Secret, whatever CA it carries). Written beside the
 * credentials file as {@code NAME-gateway-ca.pem}; a CA certificate is public, the file is 0644.
 */
public final class GatewayCa {
  private GatewayCa() {}

  /** Where the CA of this cluster's gateway is exported. */
  public static Path file(PlatformSettings settings, String clusterName) {
    Path credentials =
        CredentialsStore.forCluster(settings, clusterName, w -> {}).file().toAbsolutePath();
    String name = credentials.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    return credentials.resolveSibling(name + "-gateway-ca.pem");
  }

  /**
   * Exports the CA from the cluster; empty where the gateway has no TLS, its Secret is not there
   * yet (cert-manager has not issued), or the Secret carries no CA (an ACME certificate, which
   * public trust stores know). The file is written only where it differs, so a rerun writes
   * nothing.
   */
  public static Optional<Path> export(
      KubernetesClient client, PlatformSettings settings, String clusterName) {
    GatewayConfig gateway = settings.access().gateway();
    if (!gateway.https()) {
      return Optional.empty();
    }
    Secret secret =
        client
            .secrets()
            .inNamespace(GatewayPatch.NAMESPACE)
            .withName(GatewayPatch.secretName(gateway))
            .get();
    if (secret == null || secret.getData() == null || secret.getData().get("ca.crt") == null) {
      return Optional.empty();
    }
    String pem;
    try {
      pem =
          new String(
              Base64.getDecoder().decode(secret.getData().get("ca.crt")), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new KfbootException(
          "Secret istio-system/"
              + GatewayPatch.secretName(gateway)
              + " has a ca.crt that is not base64",
          "let cert-manager reissue it (delete the Secret), or correct your own Secret",
          ExitCategory.CLUSTER);
    }
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      return Optional.empty();
    }
    Path file = file(settings, clusterName);
    try {
      if (!Files.exists(file) || !Files.readString(file).equals(pem)) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, pem);
      }
      return Optional.of(file);
    } catch (IOException e) {
      throw new KfbootException(
          "cannot write the gateway CA to " + file + ": " + e.getMessage(),
          "pass --credentials with a writable place (the CA goes beside it)",
          ExitCategory.INVALID_INPUT);
    }
  }
}
