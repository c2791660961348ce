package io.kfboot.stacks;

import com.pulumi.core.Output;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.KnownHostKeys;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.bootstrap.k3s.Kubeconfigs;
import io.kfboot.stacks.providers.ConnectionArgs;
import io.kfboot.stacks.providers.LocalCommand;
import io.kfboot.stacks.providers.RemoteCommand;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host layer: one resource per host and step of {@code kfboot hosts up}, each running that one
 * step through {@code kfboot hosts step} (check, apply, check again over SSH with known_hosts
 * checked), so that the stack and the CLI share every step rather than the stack holding copies of
 * them as scripts. Order, as {@code up}: every host's preparation at once; k3s on the first
 * server, then the other servers one by one, then the agents; then every node Ready. Deleting a
 * host's first step (what all its others depend on, so deleted last) resets the host. The
 * kubeconfig comes from the first server through {@code command:remote:Command}.
 */
public final class HostLayer {
  /** The first step of the k3s part: before it, a host needs no other host. */
  static final String FIRST_K3S_STEP = "k3s-token";
  static final String LAST_K3S_STEP = "k3s";

  private HostLayer() {}

  /**
   * @param inventoryFile where the program wrote the stack's inventory for {@code kfboot}
   * @param kfboot the command line that runs kfboot, e.g. "java -cp /path/kfboot.jar io.kfboot.cli.Main"
   * @param stepIds what {@code up} runs on each host, in order ({@link ClusterBootstrap#stepIds})
   * @return the first server's kubeconfig, pointed at the API endpoint (secret)
   */
  public static Output<String> define(StackConfig config, String inventoryFile, String kfboot,
      Map<String, List<String>> stepIds, Output<String> token, Output<String> sshKey, String joinUrl) {
    Inventory inv = config.inventory();
    String inventoryYaml = config.inventoryYaml();
    Output<Map<String, String>> environment = Output.tuple(token, sshKey)
        .applyValue(t -> Map.of(StackConfig.TOKEN_ENV, t.t1, "KFBOOT_SSH_PRIVATE_KEY", t.t2)).asSecret();
    String digest = sha256(inventoryYaml);
    // kfboot checks host keys against known_hosts, as the CLI does; accepting new ones is the config's explicit choice
    String hostOptions = " -i " + Command.quote(inventoryFile) + " --known-hosts " + Command.quote(config.knownHosts().toString())
        + (config.acceptNewHostKeys() ? " --accept-new-host-keys" : "");
    String base = kfboot + " hosts step" + hostOptions;
    Map<String, Map<String, LocalCommand>> byHost = new LinkedHashMap<>();
    Resource lastServerK3s = null;
    List<Resource> everyK3s = new ArrayList<>();
    for (Host h : inv.servers()) {
      byHost.put(h.name(), steps(h, stepIds.get(h.name()), base, kfboot + " hosts reset" + hostOptions, environment, digest, lastServerK3s));
      lastServerK3s = byHost.get(h.name()).get(LAST_K3S_STEP);
      everyK3s.add(lastServerK3s);
    }
    for (Host h : inv.agents()) {
      byHost.put(h.name(), steps(h, stepIds.get(h.name()), base, kfboot + " hosts reset" + hostOptions, environment, digest, lastServerK3s));
      everyK3s.add(byHost.get(h.name()).get(LAST_K3S_STEP));
    }
    Host first = inv.servers().get(0);
    LocalCommand nodesReady = new LocalCommand(first.name() + "-" + ClusterBootstrap.NODES_READY,
        new LocalCommand.Args(base + " --host " + Command.quote(first.name()) + " --step " + ClusterBootstrap.NODES_READY, null, environment,
            List.of(digest)),
        CustomResourceOptions.builder().dependsOn(everyK3s).build());
    String hostKey = KnownHostKeys.find(config.knownHosts(), first.address(), first.port()).orElse(null);
    if (hostKey == null && !config.acceptNewHostKeys()) {
      throw new StackConfigException(List.of("the host key of " + first.name() + " (" + first.address() + ") is not in " + config.knownHosts()
          + ": check it and add it (ssh-keyscan -p " + first.port() + " " + first.address() + " >> " + config.knownHosts()
          + "), or set kfboot:acceptNewHostKeys true to trust it unseen"));
    }
    ConnectionArgs connection = new ConnectionArgs(Output.of(first.address()), first.port(), Output.of(first.user()), sshKey, hostKey);
    String read = Command.of("cat", "/etc/rancher/k3s/k3s.yaml").sudo().shellLine();
    RemoteCommand fetch = new RemoteCommand(first.name() + "-kubeconfig",
        new RemoteCommand.Args(connection, Output.of(first.sudo() ? read : "cat /etc/rancher/k3s/k3s.yaml"), null, null, List.of(digest)),
        CustomResourceOptions.builder().dependsOn(nodesReady).build());
    return fetch.stdout().applyValue(yaml -> {
      if (yaml == null || yaml.isBlank()) {
        throw new IllegalStateException(first.name() + " printed no /etc/rancher/k3s/k3s.yaml; is k3s running there? ('kfboot hosts plan' tells)");
      }
      return Kubeconfigs.merge("", Kubeconfigs.fromK3s(yaml, inv.cluster(), joinUrl));
    }).asSecret();
  }

  /** One host's steps, each after the one before; its k3s part after {@code after}. */
  private static Map<String, LocalCommand> steps(Host h, List<String> ids, String base, String reset,
      Output<Map<String, String>> environment, String digest, Resource after) {
    Map<String, LocalCommand> out = new LinkedHashMap<>();
    LocalCommand previous = null;
    for (String id : ids) {
      List<Resource> deps = new ArrayList<>();
      if (previous != null) {
        deps.add(previous);
      }
      if (id.equals(FIRST_K3S_STEP) && after != null) {
        deps.add(after);
      }
      String delete = previous == null ? reset + " --host " + Command.quote(h.name()) : null;
      LocalCommand step = new LocalCommand(h.name() + "-" + id,
          new LocalCommand.Args(base + " --host " + Command.quote(h.name()) + " --step " + id, delete, environment, List.of(digest)),
          CustomResourceOptions.builder().dependsOn(deps).build());
      out.put(id, step);
      previous = step;
    }
    return out;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
