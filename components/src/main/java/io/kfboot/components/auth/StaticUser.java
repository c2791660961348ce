package io.kfboot.components.auth;

/**
 * A Dex static user beside the admin: an e-mail, and either a bcrypt hash the inventory gives or
 * (null) a password kfboot generates, keeps with the other credentials and prints once.
 */
public record StaticUser(String email, String hash) {
  public boolean generated() {
    return hash == null;
  }
}
