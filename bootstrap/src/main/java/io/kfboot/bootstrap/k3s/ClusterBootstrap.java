package io.kfboot.bootstrap.k3s;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.InventoryException;
import io.kfboot.bootstrap.inventory.K3sVersion;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.HostSteps;
import io.kfboot.bootstrap.steps.ResetSteps;
import io.kfboot.bootstrap.steps.Step;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.core.DagExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Brings an inventory's hosts to a k3s cluster: every host reachable first (else nothing is
 * touched), host preparation on all hosts in parallel, then k3s on the first server, the other
 * servers one at a time (embedded etcd joins one member at a time), and the agents in parallel once
 * every server is up. A failed server stops the agents.
 */
public final class ClusterBootstrap {
  private final Inventory inventory;
  private final Function<Host, HostOperator> connect;
  private final Map<String, String> env;
  private final Duration commandTimeout;
  private final int parallelism;
  private final Consumer<StepRunner.Result> progress;
  private final List<Step> extraSteps;

  public ClusterBootstrap(
      Inventory inventory,
      Function<Host, HostOperator> connect,
      Map<String, String> env,
      Duration commandTimeout,
      int parallelism,
      Consumer<StepRunner.Result> progress) {
    this(inventory, connect, env, commandTimeout, parallelism, progress, List.of());
  }

  /**
   * @param extraSteps host preparation from other modules (the GPU driver check), run on every host
   *     after kfboot's own preparation and before k3s
   */
  public ClusterBootstrap(
      Inventory inventory,
      Function<Host, HostOperator> connect,
      Map<String, String> env,
      Duration commandTimeout,
      int parallelism,
      Consumer<StepRunner.Result> progress,
      List<Step> extraSteps) {
    this.extraSteps = List.copyOf(extraSteps);
    this.inventory = inventory;
    this.connect = connect;
    this.env = env;
    this.commandTimeout = commandTimeout;
    this.parallelism = parallelism;
    this.progress = progress;
  }

  /** The API URL nodes join through and kubeconfigs point at. */
  public String joinUrl() {
    return joinUrl(inventory);
  }

  /** The API URL of an inventory's cluster: its apiEndpoint, else the first server. */
  public static String joinUrl(Inventory inventory) {
    String endpoint =
        inventory.k3s().apiEndpoint() != null
            ? inventory.k3s().apiEndpoint()
            : inventory.servers().get(0).address();
    return "https://" + endpoint + ":6443";
  }

  /**
   * The join token from the inventory's source, read before any host is touched (with the
   * registries' credentials).
   */
  String token() {
    Inventory.TokenSource t = inventory.k3s().token();
    String value;
    if (t.env() != null) {
      value = env.get(t.env());
    } else {
      try {
        value = Files.readString(t.file()).trim();
      } catch (IOException e) {
        throw new InventoryException(
            "cluster " + inventory.cluster(),
            List.of(
                "cannot read the join token from "
                    + t.file()
                    + ": "
                    + e.getMessage()
                    + "; write it there (openssl rand -hex 32 > "
                    + t.file()
                    + "; chmod 600 "
                    + t.file()
                    + ")"));
      }
    }
    if (value == null || value.isBlank()) {
      throw new InventoryException(
          "cluster " + inventory.cluster(),
          List.of(
              "the join token ("
                  + t.describe()
                  + ") is empty or unset; set it, e.g. export "
                  + (t.env() != null ? t.env() : "K3S_TOKEN")
                  + "=$(openssl rand -hex 32), and keep it: every later join needs the same one"));
    }
    // the registries' credentials too, before any host: a missing one is found here, not on the
    // third host
    K3sConfig.registries(inventory.registries(), env);
    return value;
  }

  /**
   * Runs (or with {@code plan}, only checks) everything; the results of every step on every host.
   */
  public List<StepRunner.Result> run(boolean plan) {
    return run(plan, null);
  }

  /**
   * Sandbox mode, for tests and the benchmark: every check runs for real, but the only changes are
   * kfboot's k3s files, written under {@code sandboxRoot(host)} instead of /. Nothing that would
   * change the machine (swap, modules, sysctl, the k3s install) is applied.
   */
  public List<StepRunner.Result> sandbox(Function<Host, String> sandboxRoot) {
    return run(false, sandboxRoot);
  }

  private List<StepRunner.Result> run(boolean plan, Function<Host, String> sandboxRoot) {
    String token = token();
    boolean sandbox = sandboxRoot != null;
    HostPlan hostPlan = plan(token);
    HostPlan.Wave prepare = hostPlan.waves().get(0);
    return onReachableHosts(
        sandbox ? sandboxRoot : h -> "",
        hosts -> {
          // in the sandbox, preparation is only looked at: it would change the machine
          List<StepRunner.Result> results =
              new ArrayList<>(
                  parallel(
                      new ArrayList<>(hosts.values()),
                      h ->
                          StepRunner.run(
                              h, prepare.steps().get(h.name()), plan || sandbox, progress)));
          if (sandbox) {
            // k3s files only, on every host at once: no server has to be up for another to start
            results.addAll(
                parallel(
                    new ArrayList<>(hosts.values()),
                    h ->
                        StepRunner.run(
                            h,
                            HostSteps.k3sFiles(
                                token, h.spec().equals(inventory.servers().get(0)), joinUrl(), env),
                            false,
                            progress)));
            return results;
          }
          for (HostPlan.Wave wave : hostPlan.waves().subList(1, hostPlan.waves().size())) {
            results.addAll(runWave(wave, hosts, plan));
          }
          return results;
        });
  }

  private List<StepRunner.Result> runWave(
      HostPlan.Wave wave, Map<String, HostContext> hosts, boolean plan) {
    List<HostContext> in = wave.steps().keySet().stream().map(hosts::get).toList();
    if (wave.parallel()) {
      return parallel(in, h -> StepRunner.run(h, wave.steps().get(h.name()), plan, progress));
    }
    List<StepRunner.Result> results = new ArrayList<>();
    for (HostContext h : in) {
      results.addAll(StepRunner.run(h, wave.steps().get(h.name()), plan, progress));
    }
    return results;
  }

  /**
   * The waves of {@code up} for this inventory (see {@link HostPlan}); the step ids need no token,
   * so {@code plan("")} serves those who only read them.
   */
  public HostPlan plan(String token) {
    List<HostPlan.Wave> waves = new ArrayList<>();
    Map<String, List<Step>> prepare = new LinkedHashMap<>();
    for (Host h : inventory.hosts()) {
      List<Step> steps = new ArrayList<>(HostSteps.prepare());
      steps.addAll(extraSteps);
      prepare.put(h.name(), steps);
    }
    waves.add(new HostPlan.Wave("prepare", true, HostPlan.After.PREVIOUS_WAVE, prepare));
    List<Host> servers = inventory.servers();
    for (int i = 0; i < servers.size(); i++) {
      waves.add(
          new HostPlan.Wave(
              "k3s on " + servers.get(i).name(),
              false,
              HostPlan.After.PREVIOUS_WAVE,
              Map.of(servers.get(i).name(), serverSteps(token, i == 0))));
    }
    Map<String, List<Step>> agents = new LinkedHashMap<>();
    Map<String, List<Step>> restarts = new LinkedHashMap<>();
    inventory
        .agents()
        .forEach(
            a -> {
              agents.put(a.name(), k3sSteps(token, false));
              restarts.put(a.name(), List.of(HostSteps.k3sRestarted()));
            });
    if (!agents.isEmpty()) {
      waves.add(new HostPlan.Wave("k3s on the agents", true, HostPlan.After.PREVIOUS_WAVE, agents));
      // a changed registries.yaml or config.yaml rolls the agents one at a time
      waves.add(
          new HostPlan.Wave(
              "k3s restarted where its files changed, one agent at a time",
              false,
              HostPlan.After.PREVIOUS_WAVE,
              restarts));
    }
    List<String> names = inventory.hosts().stream().map(Host::name).toList();
    waves.add(
        new HostPlan.Wave(
            "every node Ready",
            false,
            HostPlan.After.EVERY_HOST,
            Map.of(
                servers.get(0).name(), List.of(HostSteps.nodesReady(names, NODES_READY_TIMEOUT)))));
    return new HostPlan(waves);
  }

  /** How long the last wave waits for every node to report Ready. */
  static final Duration NODES_READY_TIMEOUT = Duration.ofMinutes(10);

  /**
   * Connects to every host, makes sure each answers (see {@link #reachAll}) before {@code work}
   * changes any, and closes every connection afterwards.
   */
  List<StepRunner.Result> onReachableHosts(
      Function<Host, String> root,
      Function<Map<String, HostContext>, List<StepRunner.Result>> work) {
    return onReachableHosts(inventory.hosts(), root, work);
  }

  private List<StepRunner.Result> onReachableHosts(
      List<Host> reached,
      Function<Host, String> root,
      Function<Map<String, HostContext>, List<StepRunner.Result>> work) {
    Map<String, HostContext> hosts = new LinkedHashMap<>();
    try {
      for (Host h : reached) {
        hosts.put(
            h.name(),
            new HostContext(connect.apply(h), h, inventory, commandTimeout, root.apply(h)));
      }
      reachAll(hosts);
      return work.apply(hosts);
    } finally {
      hosts.values().forEach(h -> h.operator().close());
    }
  }

  /**
   * The k3s upgrade of this inventory's cluster.
   *
   * @param nodes the cluster side (cordon, drain, Ready), through the API
   * @param messages progress that is not a step (snapshot saved, node done)
   */
  public K3sUpgrade upgrade(K3sUpgrade.Nodes nodes, Consumer<String> messages) {
    return new K3sUpgrade(this, inventory, nodes, commandTimeout, messages, progress);
  }

  /**
   * The k3s release each host's binary is ({@code k3s --version}), empty where k3s is not
   * installed; every host is reached, nothing changes.
   */
  public Map<String, Optional<K3sVersion>> installedVersions() {
    Map<String, Optional<K3sVersion>> out = new ConcurrentHashMap<>();
    onReachableHosts(
        h -> "",
        hosts ->
            parallel(
                new ArrayList<>(hosts.values()),
                h -> {
                  out.put(h.name(), HostSteps.installedK3s(h));
                  return List.of();
                }));
    return new TreeMap<>(out);
  }

  /**
   * {@code up} for some hosts only (new ones joining a running cluster): their preparation and k3s
   * in the waves {@code up} runs them, then the wait for every node Ready on the first server. Only
   * they and the first server are reached.
   */
  public List<StepRunner.Result> runOn(List<String> names, boolean plan) {
    names.forEach(this::host);
    String first = inventory.servers().get(0).name();
    String token = token();
    HostPlan hostPlan = plan(token);
    List<Host> reached =
        inventory.hosts().stream()
            .filter(h -> names.contains(h.name()) || h.name().equals(first))
            .toList();
    return onReachableHosts(
        reached,
        h -> "",
        hosts -> {
          List<StepRunner.Result> results = new ArrayList<>();
          for (HostPlan.Wave wave : hostPlan.waves()) {
            Map<String, List<Step>> mine = new LinkedHashMap<>();
            wave.steps()
                .forEach(
                    (host, steps) -> {
                      if (names.contains(host) || wave.after() == HostPlan.After.EVERY_HOST) {
                        mine.put(host, steps);
                      }
                    });
            if (!mine.isEmpty()) {
              results.addAll(
                  runWave(
                      new HostPlan.Wave(wave.name(), wave.parallel(), wave.after(), mine),
                      hosts,
                      plan));
            }
          }
          return results;
        });
  }

  /**
   * Undoes {@link #run}: agents first, then servers in reverse order (the first server last), each
   * with {@link ResetSteps#undoing}. The token is not needed.
   */
  public List<StepRunner.Result> reset(boolean plan) {
    List<Host> servers = new ArrayList<>(inventory.servers());
    Collections.reverse(servers);
    return onReachableHosts(
        h -> "",
        hosts -> {
          List<StepRunner.Result> results =
              new ArrayList<>(
                  parallel(
                      inventory.agents().stream().map(a -> hosts.get(a.name())).toList(),
                      h -> StepRunner.run(h, resetSteps(h.name()), plan, progress)));
          for (Host s : servers) {
            results.addAll(
                StepRunner.run(hosts.get(s.name()), resetSteps(s.name()), plan, progress));
          }
          return results;
        });
  }

  /**
   * The admin kubeconfig from the first server, named after the cluster and pointed at the API
   * endpoint; merge it with {@link Kubeconfigs#merge} and write it 0600.
   */
  public Map<String, Object> kubeconfig() {
    Host first = inventory.servers().get(0);
    try (HostOperator op = connect.apply(first)) {
      HostContext h = new HostContext(op, first, inventory, commandTimeout);
      String k3sYaml =
          h.file("/etc/rancher/k3s/k3s.yaml")
              .orElseThrow(
                  () ->
                      new HostException(
                          first.name(),
                          "has no /etc/rancher/k3s/k3s.yaml",
                          "run 'kfboot hosts up' first",
                          false));
      return Kubeconfigs.fromK3s(k3sYaml, inventory.cluster(), joinUrl());
    }
  }

  /**
   * Every host answers, and no two report the same hostname (k3s and etcd peers name themselves by
   * it); checked before any host changes.
   */
  private void reachAll(Map<String, HostContext> hosts) {
    Map<String, String> hostnames = new ConcurrentHashMap<>();
    parallel(
        new ArrayList<>(hosts.values()),
        h -> {
          String hostname =
              h.root(Command.of("hostname"))
                  .requireOk(h.name(), "a first command over SSH")
                  .stdout()
                  .trim();
          hostnames.put(h.name(), hostname);
          return List.of();
        });
    Map<String, List<String>> byHostname = new TreeMap<>();
    hostnames.forEach(
        (host, hostname) -> byHostname.computeIfAbsent(hostname, k -> new ArrayList<>()).add(host));
    for (Map.Entry<String, List<String>> e : byHostname.entrySet()) {
      if (e.getValue().size() > 1) {
        List<String> names = e.getValue().stream().sorted().toList();
        throw new HostException(
            String.join(", ", names),
            "all report the hostname '" + e.getKey() + "'",
            "give each host its own name (hostnamectl set-hostname NAME), e.g. its inventory name;"
                + " cloned VMs often share one",
            false);
      }
    }
  }

  /**
   * What {@code reset} runs on a host: k3s removed, then the undo of every removable step of {@code
   * up}, newest first.
   */
  private List<Step> resetSteps(String host) {
    return ResetSteps.undoing(plan("").stepsOf(host));
  }

  /**
   * The ids of what {@code up} runs on this host, in order (the first server's end with {@link
   * HostSteps#NODES_READY}).
   */
  public List<String> stepIds(Host host) {
    return plan("").stepIdsOf(host.name());
  }

  /**
   * One step on one host, as the Pulumi stack runs them (one resource per host and step, ordered by
   * the stack): the host reached, the checks of the steps before this one run, changing nothing,
   * for what they find (the GPU count the k3s configuration labels), then the step itself: check,
   * apply, check again. {@link #NODES_READY} runs on the first server.
   */
  public List<StepRunner.Result> runStep(String hostName, String stepId, boolean plan) {
    Host host = host(hostName);
    // the wait for nodes needs neither the token nor what earlier steps found
    boolean nodesReady = HostSteps.NODES_READY.equals(stepId);
    List<Step> all = plan(nodesReady ? "" : token()).stepsOf(hostName);
    int index = all.stream().map(Step::id).toList().indexOf(stepId);
    if (index < 0) {
      throw new HostException(
          hostName,
          "has no step '" + stepId + "'",
          "use one of " + String.join(", ", stepIds(host)),
          false);
    }
    List<Step> steps = nodesReady ? List.of(all.get(index)) : all;
    index = nodesReady ? 0 : index;
    try (HostOperator op = connect.apply(host)) {
      HostContext h = new HostContext(op, host, inventory, commandTimeout);
      for (Step before : steps.subList(0, index)) {
        before.check(h);
      }
      return StepRunner.run(h, List.of(steps.get(index)), plan, progress);
    }
  }

  private Host host(String name) {
    return inventory.hosts().stream()
        .filter(h -> h.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new HostException(
                    name, "is not in the inventory", "use a host name of the inventory", false));
  }

  /** {@link #reset} of one host, for the stack's delete of that host. */
  public List<StepRunner.Result> resetHost(String hostName, boolean plan) {
    Host host = host(hostName);
    try (HostOperator op = connect.apply(host)) {
      return StepRunner.run(
          new HostContext(op, host, inventory, commandTimeout),
          resetSteps(hostName),
          plan,
          progress);
    }
  }

  private List<Step> k3sSteps(String token, boolean first) {
    List<Step> steps = new ArrayList<>(HostSteps.k3sFiles(token, first, joinUrl(), env));
    steps.add(HostSteps.k3sInstall());
    return steps;
  }

  /** A server's k3s steps, ending with its restart where files changed: servers go one by one. */
  private List<Step> serverSteps(String token, boolean first) {
    List<Step> steps = k3sSteps(token, first);
    steps.add(HostSteps.k3sRestarted());
    return steps;
  }

  /**
   * {@code work} on every host at once (up to the parallelism); a host that fails does not stop the
   * others half way through a step, and the first failure is thrown once all have ended.
   */
  List<StepRunner.Result> parallel(
      List<HostContext> hosts, Function<HostContext, List<StepRunner.Result>> work) {
    try {
      return new DagExecutor("kfboot-host", parallelism, DagExecutor.OnFailure.FINISH_RUNNING)
          .forEach(hosts, work).stream().flatMap(List::stream).toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostException("kfboot", "interrupted", "", false);
    }
  }
}
