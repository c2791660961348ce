package io.kfboot.components.auth;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The secrets kfboot sets instead of upstream's published defaults (the {@code 12341234} Dex
 * password and fixed OIDC and cookie secrets): the Dex static user's password and its bcrypt hash,
 * the OIDC client secret Dex and oauth2-proxy share, and oauth2-proxy's cookie secret. They are
 * generated once, kept in a 0600 file and reused, so that a rerun changes nothing and nobody is
 * logged out. {@link #toString()} never shows them.
 */
public final class Credentials {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
  private static final int BCRYPT_COST = 12;

  private final String adminEmail;
  private final String adminPassword;
  private final String passwordHash;
  private final String oidcClientSecret;
  private final String cookieSecret;

  private Credentials(
      String adminEmail,
      String adminPassword,
      String passwordHash,
      String oidcClientSecret,
      String cookieSecret) {
    this.adminEmail = adminEmail;
    this.adminPassword = adminPassword;
    this.passwordHash = passwordHash;
    this.oidcClientSecret = oidcClientSecret;
    this.cookieSecret = cookieSecret;
  }

  /** New random secrets for {@code adminEmail}. */
  public static Credentials generate(String adminEmail, SecureRandom random) {
    requireEmail(adminEmail);
    String password = token(random, 18);
    String hash = BCrypt.hashpw(password, BCrypt.gensalt("$2y", BCRYPT_COST, random));
    // oauth2-proxy wants a cookie secret of exactly 16, 24 or 32 bytes: 32 URL-safe characters.
    return new Credentials(adminEmail, password, hash, token(random, 24), token(random, 24));
  }

  private static String token(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static void requireEmail(String email) {
    if (email == null || !EMAIL.matcher(email).matches()) {
      throw new CredentialsException(
          "'" + email + "' is no e-mail address", "pass --admin-email like admin@example.org");
    }
  }

  /**
   * The credentials in {@code file}, or new ones written there (0600) when it does not exist. A
   * file written for another admin e-mail is refused rather than silently reused.
   *
   * @return the credentials and whether they were just made
   */
  public static Loaded loadOrCreate(Path file, String adminEmail, SecureRandom random) {
    requireEmail(adminEmail);
    if (Files.exists(file)) {
      Credentials c = read(file);
      if (!c.adminEmail.equals(adminEmail)) {
        throw new CredentialsException(
            "credentials file " + file + " is for " + c.adminEmail + ", not " + adminEmail,
            "pass --admin-email "
                + c.adminEmail
                + ", or another --credentials file for a new user");
      }
      return new Loaded(c, false);
    }
    Credentials c = generate(adminEmail, random);
    c.write(file);
    return new Loaded(c, true);
  }

  public record Loaded(Credentials credentials, boolean created) {}

  /** The credentials in {@code file}, if it exists (verify reads them; it never makes new ones). */
  public static Optional<Credentials> load(Path file) {
    return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
  }

  static Credentials read(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new CredentialsException(
          "cannot read credentials file " + file + ": " + e.getMessage(),
          "check its permissions, or remove it to generate new credentials");
    }
    String[] keys = {
      "adminEmail", "adminPassword", "passwordHash", "oidcClientSecret", "cookieSecret"
    };
    for (String k : keys) {
      if (p.getProperty(k, "").isBlank()) {
        throw new CredentialsException(
            "credentials file " + file + " has no " + k,
            "remove it to generate new credentials (users must log in again)");
      }
    }
    return new Credentials(
        p.getProperty("adminEmail"),
        p.getProperty("adminPassword"),
        p.getProperty("passwordHash"),
        p.getProperty("oidcClientSecret"),
        p.getProperty("cookieSecret"));
  }

  void write(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp =
          Files.createTempFile(
              dir,
              ".credentials",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Properties p = new Properties();
      p.setProperty("adminEmail", adminEmail);
      p.setProperty("adminPassword", adminPassword);
      p.setProperty("passwordHash", passwordHash);
      p.setProperty("oidcClientSecret", oidcClientSecret);
      p.setProperty("cookieSecret", cookieSecret);
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "kfboot credentials: Dex login and OIDC secrets. Keep this file private.");
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new CredentialsException(
          "cannot write credentials file " + file + ": " + e.getMessage(),
          "pass --credentials with a writable path");
    }
  }

  public String adminEmail() {
    return adminEmail;
  }

  public String adminPassword() {
    return adminPassword;
  }

  public String passwordHash() {
    return passwordHash;
  }

  public String oidcClientSecret() {
    return oidcClientSecret;
  }

  public String cookieSecret() {
    return cookieSecret;
  }

  @Override
  public String toString() {
    return "Credentials[adminEmail=" + adminEmail + ", secrets redacted]";
  }
}
