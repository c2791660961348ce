package io.kfboot.components.install;

/** What applying one object did. */
public enum ApplyOutcome {
  CREATED,
  CONFIGURED,
  /** The live object already held every field kfboot sets: nothing was sent. */
  UNCHANGED
}
