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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The secrets kfboot sets instead of upstream's published defaults (the {@code 12341234} Dex
 * password and fixed OIDC and cookie secrets): the Dex static user's password and its bcrypt hash,
 * the OIDC client secret Dex and oauth2-proxy share, and oauth2-proxy's cookie secret. They are
 * generated once, kept in a 0600 file and reused, so that a rerun changes nothing and nobody is
 * logged out. Static users whose password kfboot generates (the inventory's {@code auth.users}
 * without a hash) are kept in the same file. {@link #toString()} never shows them.
 */
public final class Credentials {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
  private static final int BCRYPT_COST = 12;

  private final String adminEmail;
  private final String adminPassword;
  private final String passwordHash;
  private final String oidcClientSecret;
  private final String cookieSecret;
  private final Map<String, UserPassword> users;

  /** A generated static user's password and its bcrypt hash. */
  public record UserPassword(String password, String hash) {
    @Override
    public String toString() {
      return "UserPassword[redacted]";
    }
  }

  private Credentials(
      String adminEmail,
      String adminPassword,
      String passwordHash,
      String oidcClientSecret,
      String cookieSecret,
      Map<String, UserPassword> users) {
    this.adminEmail = adminEmail;
    this.adminPassword = adminPassword;
    this.passwordHash = passwordHash;
    this.oidcClientSecret = oidcClientSecret;
    this.cookieSecret = cookieSecret;
    this.users = Collections.unmodifiableMap(new TreeMap<>(users));
  }

  /** New random secrets for {@code adminEmail}. */
  public static Credentials generate(String adminEmail, SecureRandom random) {
    requireEmail(adminEmail);
    UserPassword admin = newPassword(random);
    // oauth2-proxy wants a cookie secret of exactly 16, 24 or 32 bytes: 32 URL-safe characters.
    return new Credentials(
        adminEmail, admin.password(), admin.hash(), token(random, 24), token(random, 24), Map.of());
  }

  private static UserPassword newPassword(SecureRandom random) {
    String password = token(random, 18);
    return new UserPassword(
        password, BCrypt.hashpw(password, BCrypt.gensalt("$2y", BCRYPT_COST, random)));
  }

  /**
   * These credentials with a generated password for each of {@code emails} that has none yet;
   * passwords already made are kept, and users no longer listed are dropped.
   */
  public Credentials withUsers(List<String> emails, SecureRandom random) {
    Map<String, UserPassword> next = new TreeMap<>();
    for (String e : emails) {
      next.put(e, users.containsKey(e) ? users.get(e) : newPassword(random));
    }
    return new Credentials(
        adminEmail, adminPassword, passwordHash, oidcClientSecret, cookieSecret, next);
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
    return loadOrCreate(file, adminEmail, List.of(), random);
  }

  /**
   * As {@link #loadOrCreate(Path, String, SecureRandom)}, with a generated password for each of
   * {@code users} (static users without a given hash); the file is rewritten when that adds or
   * drops one.
   */
  public static Loaded loadOrCreate(
      Path file, String adminEmail, List<String> users, SecureRandom random) {
    requireEmail(adminEmail);
    boolean created = !Files.exists(file);
    Credentials c;
    if (created) {
      c = generate(adminEmail, random);
    } else {
      c = read(file);
      if (!c.adminEmail.equals(adminEmail)) {
        throw new CredentialsException(
            "credentials file " + file + " is for " + c.adminEmail + ", not " + adminEmail,
            "pass --admin-email "
                + c.adminEmail
                + ", or another --credentials file for a new user");
      }
    }
    Credentials withUsers = c.withUsers(users, random);
    List<String> newUsers = new ArrayList<>();
    for (String u : withUsers.users.keySet()) {
      if (!c.users.containsKey(u)) {
        newUsers.add(u);
      }
    }
    if (created || !withUsers.users.keySet().equals(c.users.keySet())) {
      withUsers.write(file);
    }
    return new Loaded(withUsers, created, List.copyOf(newUsers));
  }

  /**
   * @param created whether the file (and the admin's password) was just made
   * @param newUsers the static users whose password was just made: shown once, then only in the
   *     file
   */
  public record Loaded(Credentials credentials, boolean created, List<String> newUsers) {
    public Loaded(Credentials credentials, boolean created) {
      this(credentials, created, List.of());
    }
  }

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
    Map<String, UserPassword> users = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith(USER_PREFIX) && k.endsWith(PASSWORD_SUFFIX)) {
        String email = k.substring(USER_PREFIX.length(), k.length() - PASSWORD_SUFFIX.length());
        String hash = p.getProperty(USER_PREFIX + email + HASH_SUFFIX, "");
        if (hash.isBlank()) {
          throw new CredentialsException(
              "credentials file " + file + " has a password for " + email + " but no hash",
              "remove the user's two lines; kfboot makes a new password on the next install");
        }
        users.put(email, new UserPassword(p.getProperty(k), hash));
      }
    }
    return new Credentials(
        p.getProperty("adminEmail"),
        p.getProperty("adminPassword"),
        p.getProperty("passwordHash"),
        p.getProperty("oidcClientSecret"),
        p.getProperty("cookieSecret"),
        users);
  }

  private static final String USER_PREFIX = "user.";
  private static final String PASSWORD_SUFFIX = ".password";
  private static final String HASH_SUFFIX = ".hash";

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
      users.forEach(
          (email, u) -> {
            p.setProperty(USER_PREFIX + email + PASSWORD_SUFFIX, u.password());
            p.setProperty(USER_PREFIX + email + HASH_SUFFIX, u.hash());
          });
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

  /** The generated static users' passwords, by e-mail. */
  public Map<String, UserPassword> users() {
    return users;
  }

  @Override
  public String toString() {
    return "Credentials[adminEmail="
        + adminEmail
        + ", "
        + users.size()
        + " users, secrets redacted]";
  }
}
