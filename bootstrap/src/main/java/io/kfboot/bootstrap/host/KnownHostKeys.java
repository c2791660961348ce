package io.kfboot.bootstrap.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Looks a host's key up in an OpenSSH known_hosts file, plain or hashed entries ({@code
 * |1|salt|hash}, HMAC-SHA1 of the host name as sshd(8) describes), for the engines that need the
 * key itself (Pulumi's command provider checks a connection against one key it is given).
 */
public final class KnownHostKeys {
  private KnownHostKeys() {}

  /**
   * "ssh-ed25519 AAAA..." for {@code address} (with {@code [address]:port} when port is not 22).
   */
  public static Optional<String> find(Path knownHosts, String address, int port) {
    String name = port == 22 ? address : "[" + address + "]:" + port;
    if (!Files.isReadable(knownHosts)) {
      return Optional.empty();
    }
    try {
      for (String line : Files.readAllLines(knownHosts, StandardCharsets.UTF_8)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 3 || f[0].startsWith("#") || f[0].startsWith("@")) {
          continue; // comments, and markers (@revoked, @cert-authority) kfboot does not use
        }
        if (matches(f[0], name)) {
          return Optional.of(f[1] + " " + f[2]);
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new HostException(
          address,
          "known_hosts " + knownHosts + " cannot be read: " + e.getMessage(),
          "check the file's permissions",
          false,
          e);
    }
  }

  private static boolean matches(String hosts, String name) {
    if (hosts.startsWith("|1|")) {
      String[] p = hosts.split("\\|");
      if (p.length != 4) {
        return false;
      }
      try {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(p[2]), "HmacSHA1"));
        return Base64.getEncoder()
            .encodeToString(mac.doFinal(name.getBytes(StandardCharsets.UTF_8)))
            .equals(p[3]);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        return false;
      }
    }
    for (String h : hosts.split(",")) {
      if (h.equals(name)) {
        return true;
      }
    }
    return false;
  }
}
