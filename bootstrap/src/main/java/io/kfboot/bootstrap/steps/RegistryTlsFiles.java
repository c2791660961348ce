package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.k3s.K3sConfig;
import io.kfboot.bootstrap.k3s.K3sConfig.TlsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The certificates registries.yaml names, copied from this machine to the same paths on every node
 * (the key 0600). Each file is checked as a {@link FileStep} is: content and mode.
 */
final class RegistryTlsFiles implements Step {
  @Override
  public String id() {
    return "k3s-registry-tls";
  }

  @Override
  public String description() {
    return "the registries' certificates under " + K3sConfig.REGISTRY_TLS_DIR;
  }

  private static List<FileStep> files(HostContext host) {
    List<FileStep> steps = new ArrayList<>();
    for (TlsFile f : K3sConfig.tlsFiles(host.inventory().registries())) {
      steps.add(new FileStep(id(f), f.node(), f.mode(), h -> read(h, f), List.of()));
    }
    return steps;
  }

  private static String id(TlsFile f) {
    return "k3s-registry-tls " + f.node();
  }

  private static String read(HostContext h, TlsFile f) {
    try {
      return Files.readString(f.local(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new HostException(
          h.name(),
          "cannot read the registry certificate " + f.local() + ": " + e.getMessage(),
          "check registries.tls in the inventory",
          false,
          e);
    }
  }

  @Override
  public Check check(HostContext host) {
    List<FileStep> files = files(host);
    if (files.isEmpty()) {
      return Check.ok("no registry certificates configured");
    }
    List<String> changes = new ArrayList<>();
    for (FileStep f : files) {
      Check c = f.check(host);
      if (!c.satisfied()) {
        changes.add(c.detail());
      }
    }
    return changes.isEmpty()
        ? Check.ok(files.size() + " certificate files as desired")
        : Check.change(String.join("; ", changes));
  }

  @Override
  public void apply(HostContext host) {
    for (FileStep f : files(host)) {
      if (!f.check(host).satisfied()) {
        f.apply(host);
      }
    }
  }
}
