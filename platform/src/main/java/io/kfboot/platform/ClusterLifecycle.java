package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.K3sVersion;
import io.kfboot.bootstrap.k3s.K3sUpgrade;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.gpu.DevicePlugin;
import io.kfboot.gpu.GpuUsage;
import io.kfboot.storage.DefaultClassCheck;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The cluster over its life: k3s upgraded in place, hosts added and removed. Host work goes through
 * the inventory's bootstrap (SSH), node work through the API ({@link ClusterNodes}); every refusal
 * comes before the first change.
 */
public final class ClusterLifecycle {
  private final PlatformSettings settings;
  private final PlatformListener listener;
  private final Hosts hosts;
  private final Supplier<KubernetesClient> clients;

  /** With hosts already built (their warnings printed) by the caller. */
  public ClusterLifecycle(PlatformSettings settings, PlatformListener listener, Hosts hosts) {
    this(settings, listener, hosts, () -> connect(settings, hosts));
  }

  /**
   * @param clients the cluster's API (tests: the simulated cluster)
   */
  ClusterLifecycle(
      PlatformSettings settings,
      PlatformListener listener,
      Hosts hosts,
      Supplier<KubernetesClient> clients) {
    this.settings = settings;
    this.listener = listener;
    this.hosts = hosts;
    this.clients = clients;
  }

  /**
   * The API: through the kubeconfig where one was named (flag, KUBECONFIG or its content), else
   * with the first server's admin kubeconfig, fetched over SSH and held in memory only.
   */
  static KubernetesClient connect(PlatformSettings settings, Hosts hosts) {
    ClusterConnection named = new ClusterConnection(settings);
    if (named.named()) {
      return named.connect();
    }
    return ClusterConnection.fromKubeconfig(
        hosts.bootstrap().kubeconfig(), "the admin kubeconfig of " + hosts.cluster());
  }

  /**
   * @param version the target k3s release
   * @param batch agents upgraded at once
   * @param skipDatastore no snapshot first (an external datastore, backed up by its own tools)
   * @param snapshotDir where the snapshot goes; null: under the state folder
   */
  public record UpgradeRequest(
      String version,
      int batch,
      Duration drainTimeout,
      Duration readyTimeout,
      boolean skipDatastore,
      Path snapshotDir) {
    public static final int DEFAULT_BATCH = 2;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(10);

    public UpgradeRequest {
      if (batch < 1) {
        throw new KfbootException(
            "an agent batch of " + batch + " upgrades nothing",
            "give --batch 1 or more",
            ExitCategory.INVALID_INPUT);
      }
    }
  }

  /** {@code kfboot hosts upgrade --k3s}: see {@link K3sUpgrade}. */
  public K3sUpgrade.Outcome upgradeK3s(UpgradeRequest request, boolean plan) {
    K3sVersion target = K3sVersion.parse(request.version());
    Path dir =
        request.skipDatastore() || plan
            ? null
            : Optional.ofNullable(request.snapshotDir())
                .orElseGet(
                    () ->
                        XdgDirs.stateHome(settings.env())
                            .resolve("kfboot/k3s-snapshots")
                            .resolve(hosts.cluster())
                            .resolve(target.imageTag() + "-" + Instant.now().getEpochSecond()));
    if (dir != null) {
      privateDir(dir);
    }
    try (KubernetesClient client = clients.get()) {
      ClusterNodes nodes = new ClusterNodes(client, waiter(client), "k3s-upgrade");
      K3sUpgrade.Options options =
          new K3sUpgrade.Options(
              target,
              request.batch(),
              request.drainTimeout(),
              request.readyTimeout(),
              request.skipDatastore(),
              dir);
      return hosts.bootstrap().upgrade(nodes, listener::report).run(options, plan);
    }
  }

  /** The k3s release the inventory pins: what {@code hosts upgrade} without a version aims at. */
  public String inventoryK3sVersion() {
    return hosts.inventory().k3s().version();
  }

  private UpgradeRequest inventoryVersion() {
    return new UpgradeRequest(
        inventoryK3sVersion(),
        UpgradeRequest.DEFAULT_BATCH,
        UpgradeRequest.DEFAULT_DRAIN_TIMEOUT,
        UpgradeRequest.DEFAULT_READY_TIMEOUT,
        false,
        null);
  }

  /**
   * {@code hosts up}: the inventory as it is now. On a running cluster, hosts behind the
   * inventory's k3s version are upgraded first, and hosts an earlier {@code up} joined that the
   * inventory no longer lists are checked before anything changes (their claims and drains, as
   * {@code hosts remove} checks them); then every host is brought up, and those departed hosts'
   * nodes are drained and deleted. Nodes kfboot never joined are only named. The hosts joined are
   * recorded in kube-system/{@value ClusterNodes#JOINED_RECORD}.
   */
  public List<StepRunner.Result> up() {
    Inventory inv = hosts.inventory();
    Map<String, Optional<K3sVersion>> installed = hosts.bootstrap().installedVersions();
    boolean running =
        installed.getOrDefault(inv.servers().get(0).name(), Optional.empty()).isPresent();
    List<String> departed = new ArrayList<>();
    if (running) {
      // (before it, the upgrade where hosts are behind the inventory's version)
      upgradeWhereBehind(inventoryVersion(), false, installed);
      Strays strays = strays();
      if (strays.note() != null) {
        // up is also what repairs a cluster whose API is down: it goes on without this look
        listener.warning(
            strays.note() + "; hosts taken out of the inventory stay in the cluster this run");
      }
      departed.addAll(strays.departed());
      for (String n : strays.nodes()) {
        if (!strays.departed().contains(n)) {
          listener.warning(
              "node "
                  + n
                  + " is in the cluster but not in the inventory, and kfboot did not join it:"
                  + " left alone ('kfboot hosts remove --host "
                  + n
                  + "' takes it out)");
        }
      }
      for (String n : departed) {
        remove(n, false, true); // its refusals, before any change
      }
    }
    List<StepRunner.Result> results = hosts.bootstrap().run(false);
    for (String n : departed) {
      listener.report(n + " left the inventory: draining it and deleting its node");
      remove(n, false, false).notes().forEach(listener::warning);
    }
    try (KubernetesClient client = clients.get()) {
      new ClusterNodes(client, waiter(client), "record")
          .recordJoined(inv.cluster(), inv.hosts().stream().map(Host::name).toList());
    } catch (KfbootException | KubernetesClientException e) {
      listener.warning(
          "the hosts joined were not recorded in kube-system/"
              + ClusterNodes.JOINED_RECORD
              + " ("
              + e.getMessage()
              + "): a host taken out of the inventory later is then only named by 'hosts up'");
    }
    return results;
  }

  /**
   * {@link #upgradeK3s} to the request's version where any host runs another one; empty where every
   * host with k3s runs it already, or none has k3s yet ({@code hosts up} installs it then).
   */
  public Optional<K3sUpgrade.Outcome> upgradeWhereBehind(UpgradeRequest request, boolean plan) {
    return upgradeWhereBehind(request, plan, hosts.bootstrap().installedVersions());
  }

  private Optional<K3sUpgrade.Outcome> upgradeWhereBehind(
      UpgradeRequest request, boolean plan, Map<String, Optional<K3sVersion>> installed) {
    String want = K3sVersion.parse(request.version()).toString();
    List<String> behind =
        installed.entrySet().stream()
            .filter(e -> e.getValue().isPresent() && !e.getValue().get().toString().equals(want))
            .map(e -> e.getKey() + " (" + e.getValue().get() + ")")
            .toList();
    if (behind.isEmpty()) {
      return Optional.empty();
    }
    listener.report(
        "k3s "
            + want
            + " is in the inventory, "
            + String.join(", ", behind)
            + " run another: upgrading first");
    return Optional.of(upgradeK3s(request, plan));
  }

  /**
   * @param steps what ran on the new hosts (and the checks on the first server)
   * @param checks what the cluster said after: the new nodes Ready, GPUs allocatable
   */
  public record Added(List<StepRunner.Result> steps, List<String> checks) {}

  /**
   * {@code kfboot hosts add}: hosts of the inventory that are not in the cluster yet join it with
   * the same preparation {@code up} gives (GPU runtime included), after the first server's checks
   * (a second server turns a single SQLite server into embedded etcd: k3s converts it at the
   * restart that cluster-init brings). Then the new nodes are looked at through the API: GPU hosts
   * must advertise their GPUs, and a default StorageClass must still exist.
   */
  public Added add(List<String> names, boolean plan) {
    Inventory inv = hosts.inventory();
    for (String n : names) {
      if (inv.hosts().stream().noneMatch(h -> h.name().equals(n))) {
        throw new KfbootException(
            "host " + n + " is not in the inventory " + settings.inventoryFile(),
            "add it under hosts: (name, address, role) and run again",
            ExitCategory.INVALID_INPUT);
      }
    }
    long servers = inv.servers().size();
    if (servers > 1 && servers % 2 == 0) {
      listener.warning(
          "after this, "
              + servers
              + " servers share etcd: an even count survives no more failures than one fewer; add"
              + " one more");
    }
    List<String> with = new ArrayList<>(names);
    String first = inv.servers().get(0).name();
    if (!with.contains(first)) {
      with.add(0, first);
    }
    List<StepRunner.Result> steps = hosts.bootstrap().runOn(with, plan);
    if (plan) {
      return new Added(steps, List.of());
    }
    List<String> checks = new ArrayList<>();
    try (KubernetesClient client = clients.get()) {
      Waiter waiter = waiter(client);
      ClusterNodes nodes = new ClusterNodes(client, waiter, "add");
      Duration timeout = settings.install().gateTimeout();
      for (String n : names) {
        Host h = inv.hosts().stream().filter(x -> x.name().equals(n)).findFirst().orElseThrow();
        checks.add(n + ": Ready, kubelet " + nodes.kubeletVersion(n).orElse("?"));
        if (h.gpu() && !inv.nvidia().operator()) {
          // the device plugin's DaemonSet reaches the new node and it advertises its GPUs
          waiter.await(
              Condition.of(
                  "node " + n + " advertises nvidia.com/gpu",
                  List.of(DevicePlugin.NAMESPACE),
                  () ->
                      GpuUsage.read(client).stream()
                          .filter(u -> u.node().equals(n) && u.allocatable() > 0)
                          .findFirst()
                          .map(u -> ConditionResult.met(u.allocatable() + " GPUs allocatable"))
                          .orElse(ConditionResult.pending("no nvidia.com/gpu allocatable yet"))),
              timeout);
          checks.add(n + ": GPUs allocatable (device plugin running there)");
        }
      }
      waiter.await(new DefaultClassCheck(null).start(client), timeout);
      checks.add("exactly one default StorageClass");
    }
    return new Added(steps, checks);
  }

  /**
   * @param claims the claims whose volumes lived on the node (kept only with --accept-data-loss)
   * @param reset whether the host itself was reset over SSH (not where it left the inventory)
   * @param notes what the user should do next
   */
  public record Removal(
      String host, boolean planned, List<String> claims, boolean reset, List<String> notes) {}

  /**
   * {@code kfboot hosts remove}: the node cordoned and drained (budgets hold), its k3s removed from
   * the host, the Node and its k3s password Secret deleted. Refused, before any change: the last
   * server, a server whose removal leaves an even number of etcd members, the server the others
   * join through, volumes that live only on that node (unless {@code acceptDataLoss}), a blocked
   * drain, a host that does not answer.
   */
  public Removal remove(String name, boolean acceptDataLoss, boolean plan) {
    Inventory inv = hosts.inventory();
    Optional<Host> host = inv.hosts().stream().filter(h -> h.name().equals(name)).findFirst();
    if (host.isPresent() && host.get().role() == Role.SERVER) {
      refuseServerRemoval(inv, host.get());
    }
    if (host.isPresent()) {
      // reached before anything changes: a host that does not answer stops here
      try (HostOperator op = hosts.transport().apply(host.get())) {
        op.exec(Command.of("true"), Duration.ofSeconds(30))
            .requireOk(name, "a first command over SSH");
      }
    }
    List<String> notes = new ArrayList<>();
    try (KubernetesClient client = clients.get()) {
      ClusterNodes nodes = new ClusterNodes(client, waiter(client), "remove");
      boolean registered = nodes.exists(name);
      if (!registered && host.isEmpty()) {
        throw new KfbootException(
            "no node " + name + " in the cluster and no host " + name + " in the inventory",
            "check the name with 'kubectl get nodes'",
            ExitCategory.INVALID_INPUT);
      }
      List<String> claims = registered ? nodes.pinnedClaims(name) : List.of();
      if (!claims.isEmpty() && !acceptDataLoss) {
        throw new KfbootException(
            "removing "
                + name
                + " loses the data of "
                + claims.size()
                + " claims whose volumes live only on it (local-path): "
                + String.join(", ", claims),
            "nothing was changed; back them up ('kfboot backup') or move those workloads, or"
                + " pass --accept-data-loss",
            ExitCategory.UNEXPECTED_STATE);
      }
      List<String> blockers = registered ? nodes.drainBlockers(name) : List.of();
      if (!blockers.isEmpty()) {
        throw new KfbootException(
            "draining " + name + " would block: " + String.join("; ", blockers),
            "nothing was changed; relax or remove those PodDisruptionBudgets (or scale their"
                + " workloads up), then run again",
            ExitCategory.UNEXPECTED_STATE);
      }
      if (plan) {
        if (!claims.isEmpty()) {
          notes.add(
              "with --accept-data-loss the data of " + String.join(", ", claims) + " is lost");
        }
        return new Removal(name, true, claims, false, notes);
      }
      if (registered) {
        nodes.cordon(name);
        nodes.drain(name, UpgradeRequest.DEFAULT_DRAIN_TIMEOUT);
        listener.report(name + ": cordoned and drained");
        if (host.map(h -> h.role() == Role.SERVER).orElse(false)) {
          // k3s takes a deleted server's member out of etcd while it still answers
          nodes.delete(name);
        }
      }
      boolean reset = false;
      if (host.isPresent()) {
        hosts.bootstrap().resetHost(name, false);
        reset = true;
        notes.add(
            "remove "
                + name
                + " from "
                + settings.inventoryFile()
                + ", or the next 'kfboot hosts up' joins it again");
      } else {
        notes.add(
            name
                + " is not in the inventory, so kfboot did not reach it: run k3s-agent-uninstall.sh"
                + " (or k3s-uninstall.sh) there before it is used again");
      }
      nodes.delete(name);
      listener.report(name + ": Node and its k3s node-password Secret deleted");
      return new Removal(name, false, claims, reset, notes);
    }
  }

  private void refuseServerRemoval(Inventory inv, Host server) {
    int servers = inv.servers().size();
    if (servers == 1) {
      throw new KfbootException(
          server.name() + " is the only server: without it there is no cluster",
          "'kfboot hosts reset' takes the whole cluster down; to replace the server, add another"
              + " first",
          ExitCategory.INVALID_INPUT);
    }
    int left = servers - 1;
    if (left > 1 && left % 2 == 0) {
      throw new KfbootException(
          "removing server "
              + server.name()
              + " leaves "
              + left
              + " etcd members, an even count that survives no more failures than "
              + (left - 1),
          "add a server first ('kfboot hosts add'), or remove two",
          ExitCategory.INVALID_INPUT);
    }
    if (inv.servers().get(0).equals(server) && inv.k3s().apiEndpoint() == null) {
      throw new KfbootException(
          server.name()
              + " is the server every other node joins through (the inventory has no"
              + " k3s.apiEndpoint)",
          "put a load balancer or virtual IP in front of the servers, set k3s.apiEndpoint to it"
              + " and run 'kfboot hosts up', then remove it",
          ExitCategory.INVALID_INPUT);
    }
  }

  /**
   * @param nodes cluster nodes the inventory does not list
   * @param departed those of them an earlier {@code hosts up} joined: the next one takes them out
   * @param note why they were not looked for, or null
   */
  public record Strays(List<String> nodes, List<String> departed, String note) {}

  /**
   * For {@code hosts plan}: the stray nodes where the first server already runs k3s; on a fresh
   * cluster, or one whose API does not answer, none and a note why.
   */
  public Strays strayNodesIfRunning() {
    String first = hosts.inventory().servers().get(0).name();
    Optional<K3sVersion> running =
        hosts.bootstrap().installedVersions().getOrDefault(first, Optional.empty());
    if (running.isEmpty()) {
      return new Strays(List.of(), List.of(), null);
    }
    return strays();
  }

  /** The stray nodes and which of them kfboot joined; a note instead where the API fails. */
  private Strays strays() {
    Set<String> known =
        hosts.inventory().hosts().stream().map(Host::name).collect(Collectors.toSet());
    try (KubernetesClient client = clients.get()) {
      ClusterNodes nodes = new ClusterNodes(client, waiter(client), "look");
      List<String> strays =
          nodes.names().stream().filter(n -> !known.contains(n)).sorted().toList();
      List<String> joined = nodes.joinedHosts();
      return new Strays(strays, strays.stream().filter(joined::contains).toList(), null);
    } catch (KfbootException | KubernetesClientException e) {
      return new Strays(
          List.of(),
          List.of(),
          "the cluster's nodes were not compared with the inventory (" + e.getMessage() + ")");
    }
  }

  /**
   * After {@code hosts reset --host} (the Pulumi stack's delete of a host): the host's Node and its
   * k3s password Secret deleted where the API answers, as k3s' uninstall guide asks ("be sure to
   * delete the node from the cluster"); a warning with the commands where it does not.
   */
  public void forgetNode(String name) {
    try (KubernetesClient client = clients.get()) {
      ClusterNodes nodes = new ClusterNodes(client, waiter(client), "forget");
      if (nodes.exists(name)) {
        nodes.delete(name);
        listener.report(name + ": Node and its k3s node-password Secret deleted");
      }
    } catch (KfbootException | KubernetesClientException e) {
      listener.warning(
          name
              + "'s Node was not deleted ("
              + e.getMessage()
              + "): kubectl delete node "
              + name
              + "; kubectl -n kube-system delete secret "
              + ClusterNodes.nodePasswordSecret(name));
    }
  }

  private Waiter waiter(KubernetesClient client) {
    return new Waiter(
        settings.install().poll(),
        new ClusterDiagnostics(client),
        (c, r, e) -> listener.report("waiting for " + c.description() + ": " + r.detail()));
  }

  private static void privateDir(Path dir) {
    try {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new KfbootException(
          "cannot make " + dir + ": " + e.getMessage(),
          "pass --snapshot-dir with a writable folder",
          ExitCategory.INVALID_INPUT);
    }
  }
}
