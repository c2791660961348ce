package io.kfboot.cli;

/** {@code --output}: text for people, json for programs. */
enum OutputFormat {
  text,
  json
}
