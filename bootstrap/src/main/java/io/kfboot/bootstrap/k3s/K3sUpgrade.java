package io.kfboot.bootstrap.k3s;

import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.K3sVersion;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.HostSteps;
import io.kfboot.bootstrap.steps.Step;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A k3s upgrade of a running cluster, in the order k3s documents
 * (https://docs.k3s.io/upgrades/manual): the datastore saved first, then the servers one at a time,
 * then the agents in batches; each node cordoned, drained through the eviction API (so
 * PodDisruptionBudgets hold), upgraded with the install script and its unchanged config.yaml,
 * waited Ready at the target as the kubelet reports it, and uncordoned. Nodes already at the target
 * are passed over, so a rerun after a kill goes on with the next one.
 */
public final class K3sUpgrade {
  /**
   * The cluster side, through the Kubernetes API (the platform's fabric8 client; a fake in tests).
   */
  public interface Nodes {
    /** The kubelet version the Node reports ({@code v1.32.4+k3s1}), or empty if not registered. */
    Optional<String> kubeletVersion(String node);

    /**
     * Why draining {@code node} would block (a PodDisruptionBudget that allows no disruption of a
     * pod there), each with its fix; empty when a drain can go through.
     */
    List<String> drainBlockers(String node);

    /** Marks the node unschedulable, remembering whether kfboot did (not the admin). */
    void cordon(String node);

    /** Evicts its pods (DaemonSets' and static pods stay) and waits until they are gone. */
    void drain(String node, Duration timeout);

    /** Waits until the node is Ready and its kubelet reports {@code version}. */
    void awaitReady(String node, String version, Duration timeout);

    /** Makes the node schedulable again where kfboot cordoned it; an admin's cordon stays. */
    void uncordon(String node);
  }

  /**
   * @param agentBatch how many agents are upgraded at once
   * @param skipDatastore save nothing first (an external datastore, backed up by its own tools)
   * @param snapshotDir where the datastore is saved on this machine first; null when planning or
   *     skipping
   */
  public record Options(
      K3sVersion target,
      int agentBatch,
      Duration drainTimeout,
      Duration readyTimeout,
      boolean skipDatastore,
      Path snapshotDir) {
    public Options {
      if (agentBatch < 1) {
        throw new KfbootException(
            "an agent batch of " + agentBatch + " upgrades nothing",
            "give --batch 1 or more",
            ExitCategory.INVALID_INPUT);
      }
    }
  }

  /**
   * One node as the upgrade finds it.
   *
   * @param installed the k3s binary on the host ({@code k3s --version}); empty without k3s
   * @param running what the node's kubelet reports through the API; empty if not registered
   */
  public record NodeState(
      String host,
      Role role,
      boolean gpu,
      Optional<K3sVersion> installed,
      Optional<K3sVersion> running) {
    public boolean at(K3sVersion target) {
      return installed.filter(target::equals).isPresent()
          && running.filter(target::equals).isPresent();
    }

    /** The older of the two, as the node counts for version rules. */
    Optional<K3sVersion> oldest() {
      return installed.isEmpty()
          ? running
          : running.isEmpty()
              ? installed
              : Optional.of(
                  installed.get().compareTo(running.get()) <= 0 ? installed.get() : running.get());
    }

    Optional<K3sVersion> newest() {
      return installed.isEmpty()
          ? running
          : running.isEmpty()
              ? installed
              : Optional.of(
                  installed.get().compareTo(running.get()) >= 0 ? installed.get() : running.get());
    }
  }

  /**
   * What an upgrade would do.
   *
   * @param nodes every host, servers first
   * @param waves the hosts still to upgrade, in order: each server alone, then agent batches
   * @param refusals why it must not start; empty when it may
   * @param datastore what is saved first (etcd snapshot, SQLite copy), or why nothing is
   */
  public record Plan(
      K3sVersion target,
      List<NodeState> nodes,
      List<List<String>> waves,
      List<String> refusals,
      String datastore) {
    public List<String> pending() {
      return waves.stream().flatMap(List::stream).toList();
    }
  }

  /**
   * @param snapshot the saved datastore, or null where none was taken
   * @param upgraded the hosts this run upgraded, in order
   */
  public record Outcome(
      Plan plan,
      Datastore.Snapshot snapshot,
      List<String> upgraded,
      List<StepRunner.Result> steps) {}

  private final ClusterBootstrap bootstrap;
  private final Inventory inventory;
  private final Nodes nodes;
  private final Consumer<String> progress;
  private final Consumer<StepRunner.Result> stepProgress;
  private final Duration commandTimeout;

  K3sUpgrade(
      ClusterBootstrap bootstrap,
      Inventory inventory,
      Nodes nodes,
      Duration commandTimeout,
      Consumer<String> progress,
      Consumer<StepRunner.Result> stepProgress) {
    this.bootstrap = bootstrap;
    this.inventory = inventory;
    this.nodes = nodes;
    this.commandTimeout = commandTimeout;
    this.progress = progress;
    this.stepProgress = stepProgress;
  }

  /**
   * The upgrade as a pure function of what was found: the order, and the refusals (a downgrade, a
   * skipped minor, an even number of etcd members, a GPU host the target cannot serve, a host
   * without k3s).
   *
   * @param datastore the first server's datastore, or null where it is external or unknown
   */
  public static Plan plan(
      Inventory inventory,
      K3sVersion target,
      Map<String, NodeState> found,
      Datastore.Kind datastore,
      int agentBatch) {
    List<String> refusals = new ArrayList<>();
    List<NodeState> states = inventory.hosts().stream().map(h -> found.get(h.name())).toList();
    for (NodeState n : states) {
      Optional<K3sVersion> newest = n.newest();
      if (newest.isEmpty()) {
        refusals.add(
            n.host()
                + " runs no k3s: add it first with 'kfboot hosts add --host "
                + n.host()
                + "', then upgrade");
      } else if (newest.get().isNewerThan(target)) {
        refusals.add(
            n.host()
                + " runs "
                + newest.get()
                + ", newer than "
                + target
                + ": k3s does not downgrade (its upgrade image refuses it too); going back needs"
                + " the snapshot an upgrade saved first (https://docs.k3s.io/upgrades/roll-back)");
      }
    }
    Optional<K3sVersion> oldest =
        states.stream()
            .map(NodeState::oldest)
            .flatMap(Optional::stream)
            .min(Comparator.naturalOrder());
    if (oldest.isPresent() && oldest.get().skipsMinorTo(target)) {
      refusals.add(
          "from "
              + oldest.get()
              + " to "
              + target
              + " skips a minor release; k3s and Kubernetes upgrade one minor at a time: "
              + path(oldest.get(), target));
    }
    long servers = inventory.servers().size();
    if (datastore == Datastore.Kind.ETCD && servers > 1 && servers % 2 == 0) {
      refusals.add(
          servers
              + " servers share embedded etcd: with one restarting, "
              + (servers - 1)
              + " of "
              + servers
              + " members may not keep a majority; add or remove a server ('kfboot hosts add' /"
              + " 'hosts remove') for an odd count first");
    }
    boolean nvidiaDefault =
        inventory.containerRuntime().equals("containerd") && !inventory.nvidia().operator();
    if (nvidiaDefault && !target.hasDefaultRuntime()) {
      inventory.hosts().stream()
          .filter(Host::gpu)
          .forEach(
              h ->
                  refusals.add(
                      "GPU host "
                          + h.name()
                          + ": k3s "
                          + target
                          + " has no default-runtime, so Kubeflow's pods there would get no GPU;"
                          + " pick v1.29.0 or newer"));
    }
    List<List<String>> waves = new ArrayList<>();
    for (NodeState n : states) {
      if (n.role() == Role.SERVER && !n.at(target)) {
        waves.add(List.of(n.host()));
      }
    }
    List<String> agents =
        states.stream()
            .filter(n -> n.role() == Role.AGENT && !n.at(target))
            .map(NodeState::host)
            .toList();
    for (int i = 0; i < agents.size(); i += agentBatch) {
      waves.add(agents.subList(i, Math.min(agents.size(), i + agentBatch)));
    }
    String saved =
        datastore == null
            ? "not saved: the datastore is external or was not looked at (--skip-datastore)"
            : datastore == Datastore.Kind.ETCD
                ? "etcd snapshot on " + inventory.servers().get(0).name()
                : "SQLite state.db copied off " + inventory.servers().get(0).name();
    return new Plan(target, states, waves, refusals, saved);
  }

  /** "v1.31 -> v1.32 -> v1.33": every minor release between, each one upgrade. */
  static String path(K3sVersion from, K3sVersion to) {
    if (from.major() != to.major()) {
      return "upgrade through each " + from.major() + ".x minor release first";
    }
    List<String> steps = new ArrayList<>();
    for (int m = from.minor(); m <= to.minor(); m++) {
      steps.add("v" + from.major() + "." + m);
    }
    return String.join(" -> ", steps)
        + "; upgrade to the newest v"
        + from.major()
        + "."
        + (from.minor() + 1)
        + " release first (https://github.com/k3s-io/k3s/releases), e.g. 'kfboot hosts upgrade"
        + " --k3s v"
        + from.major()
        + "."
        + (from.minor() + 1)
        + ".N+k3s1'";
  }

  /**
   * Looks at every host and node, and with {@code planOnly} stops there; otherwise refuses or
   * upgrades. Every host is reached before anything changes.
   */
  public Outcome run(Options options, boolean planOnly) {
    return run(options, planOnly, h -> "");
  }

  /**
   * As {@link #run(Options, boolean)}, with the files k3s installs under {@code root(host)}: the
   * real sshd hosts of the tests share one file system.
   */
  Outcome run(Options options, boolean planOnly, Function<Host, String> root) {
    List<StepRunner.Result> steps = new ArrayList<>();
    List<String> upgraded = new ArrayList<>();
    Datastore.Snapshot[] snapshot = new Datastore.Snapshot[1];
    Plan[] planned = new Plan[1];
    bootstrap.onReachableHosts(
        root,
        hosts -> {
          Inventory target = inventory.withK3sVersion(options.target().toString());
          Map<String, HostContext> at = new LinkedHashMap<>();
          hosts.forEach(
              (name, h) ->
                  at.put(
                      name,
                      new HostContext(
                          h.operator(), h.spec(), target, commandTimeout, root.apply(h.spec()))));
          Map<String, NodeState> found = new ConcurrentHashMap<>();
          bootstrap.parallel(
              new ArrayList<>(at.values()),
              h -> {
                found.put(h.name(), look(h));
                return List.of();
              });
          HostOperator first = at.get(inventory.servers().get(0).name()).operator();
          Datastore datastore =
              new Datastore(commandTimeout, progress, root.apply(inventory.servers().get(0)));
          // looked at even when planning: an even number of etcd members is refused
          // (a first server without k3s is refused by the plan, with no datastore to look at)
          boolean firstHasK3s =
              found.get(inventory.servers().get(0).name()).installed().isPresent();
          Datastore.Kind kind =
              options.skipDatastore() || !firstHasK3s ? null : datastore.kind(first);
          Plan plan = plan(inventory, options.target(), found, kind, options.agentBatch());
          planned[0] = plan;
          if (!plan.refusals().isEmpty()) {
            throw new KfbootException(
                "the k3s upgrade to "
                    + options.target()
                    + " is refused: "
                    + String.join("; ", plan.refusals()),
                "nothing was changed; fix the above and run again",
                ExitCategory.INVALID_INPUT);
          }
          List<String> blockers = new ArrayList<>();
          for (String host : plan.pending()) {
            nodes.drainBlockers(host).forEach(b -> blockers.add(host + ": " + b));
          }
          if (planOnly) {
            if (!blockers.isEmpty()) {
              progress.accept("draining would block: " + String.join("; ", blockers));
            }
            return steps;
          }
          if (!blockers.isEmpty()) {
            throw drainBlocked(blockers);
          }
          // a node left cordoned by a run that was killed after its upgrade
          plan.nodes().stream()
              .filter(n -> n.at(options.target()))
              .forEach(n -> nodes.uncordon(n.host()));
          if (plan.pending().isEmpty()) {
            return steps;
          }
          if (!options.skipDatastore()) {
            if (options.snapshotDir() == null) {
              throw new IllegalArgumentException(
                  "an upgrade that saves the datastore needs a folder");
            }
            String name =
                "kfboot-pre-" + options.target().imageTag() + "-" + Instant.now().getEpochSecond();
            snapshot[0] = datastore.save(first, name, options.snapshotDir());
            progress.accept(
                "datastore saved to "
                    + snapshot[0].file()
                    + " with the server token beside it (a rollback starts from it:"
                    + " https://docs.k3s.io/upgrades/roll-back)");
          }
          for (List<String> wave : plan.waves()) {
            bootstrap.parallel(
                wave.stream().map(at::get).toList(),
                h -> {
                  List<StepRunner.Result> r = upgradeNode(h, found.get(h.name()), options);
                  synchronized (upgraded) {
                    upgraded.add(h.name());
                    steps.addAll(r);
                  }
                  return List.of();
                });
          }
          return steps;
        });
    return new Outcome(planned[0], snapshot[0], List.copyOf(upgraded), List.copyOf(steps));
  }

  private KfbootException drainBlocked(List<String> blockers) {
    return new KfbootException(
        "draining would block: " + String.join("; ", blockers),
        "nothing was changed; remove or relax those PodDisruptionBudgets for the upgrade (for"
            + " Knative's: kubectl -n knative-serving delete pdb activator-pdb webhook-pdb, as the"
            + " kubeflow/manifests README advises; 'kfboot up' puts them back) or give their"
            + " Deployments more replicas, then run again",
        ExitCategory.UNEXPECTED_STATE);
  }

  private NodeState look(HostContext h) {
    Optional<K3sVersion> installed = HostSteps.installedK3s(h);
    Optional<K3sVersion> running = nodes.kubeletVersion(h.name()).flatMap(K3sVersion::fromKubelet);
    return new NodeState(h.name(), h.spec().role(), h.spec().gpu(), installed, running);
  }

  private List<StepRunner.Result> upgradeNode(HostContext h, NodeState was, Options options) {
    String node = h.name();
    progress.accept(
        node
            + ": "
            + was.oldest().map(K3sVersion::toString).orElse("?")
            + " -> "
            + options.target()
            + " (cordon, drain, install, restart, Ready)");
    List<String> blockers = nodes.drainBlockers(node);
    if (!blockers.isEmpty()) {
      throw drainBlocked(blockers.stream().map(b -> node + ": " + b).toList());
    }
    nodes.cordon(node);
    nodes.drain(node, options.drainTimeout());
    List<Step> steps = List.of(HostSteps.k3sInstall(), HostSteps.k3sRestarted());
    List<StepRunner.Result> results = StepRunner.run(h, steps, false, stepProgress);
    try {
      nodes.awaitReady(node, options.target().toString(), options.readyTimeout());
    } catch (KfbootException e) {
      throw new HostException(
          node,
          "did not come back Ready at " + options.target() + ": " + e.getMessage(),
          "it stays cordoned; look at 'journalctl -u "
              + (h.spec().role() == Role.SERVER ? "k3s" : "k3s-agent")
              + "' there, then rerun the upgrade (it goes on with this node)",
          false,
          e);
    }
    nodes.uncordon(node);
    progress.accept(node + ": at " + options.target());
    return results;
  }
}
