package io.kfboot.platform;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.host.LocalHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.bootstrap.k3s.HostPlan;
import io.kfboot.bootstrap.k3s.Kubeconfigs;
import io.kfboot.bootstrap.ssh.SshHostOperator;
import io.kfboot.bootstrap.ssh.SshTarget;
import io.kfboot.bootstrap.steps.HostSteps;
import io.kfboot.bootstrap.steps.Step;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.gpu.ContainerToolkitStep;
import io.kfboot.gpu.GpuDriverStep;
import io.kfboot.storage.NfsHostSteps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An inventory's hosts as kfboot reaches them: the transports (SSH with known_hosts checked, or
 * this machine with {@code --local}), the one list of host steps (kfboot's own preparation, then
 * the GPU and storage modules', then k3s) and the {@link HostPlan} their order makes.
 */
public final class Hosts {
  /** How long connecting and authenticating to one host may take, and the keepalive interval. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  private final PlatformSettings settings;
  private final Inventory inventory;
  private final PlatformListener listener;

  /** How hosts are reached, where a test gives its own; null: SSH, or this machine. */
  private final Function<Inventory.Host, HostOperator> reach;

  public Hosts(PlatformSettings settings, PlatformListener listener) {
    this(settings, listener, null);
  }

  Hosts(
      PlatformSettings settings,
      PlatformListener listener,
      Function<Inventory.Host, HostOperator> reach) {
    this.reach = reach;
    this.settings = settings;
    this.inventory = settings.requireInventory();
    this.listener = listener;
    if (settings.hosts().local() && inventory.hosts().size() != 1) {
      throw new KfbootException(
          "--local works on an inventory of exactly one host; "
              + settings.inventoryFile()
              + " has "
              + inventory.hosts().size(),
          "drop --local to reach the hosts over SSH",
          ExitCategory.INVALID_INPUT);
    }
  }

  /**
   * The host steps of the GPU and storage modules, run on every host after kfboot's own preparation
   * and before k3s is configured (the GPU count they find becomes a node label); each is a no-op
   * where it does not apply.
   */
  public static List<Step> extraSteps() {
    List<Step> steps = new ArrayList<>(List.of(new GpuDriverStep(), new ContainerToolkitStep()));
    steps.addAll(NfsHostSteps.all());
    return steps;
  }

  /**
   * The waves of {@code hosts up} for an inventory, for those who only read the step ids (the
   * stack).
   */
  public static HostPlan plan(Inventory inventory) {
    return new ClusterBootstrap(
            inventory,
            h -> {
              throw new KfbootException(
                  h.name() + " is reached by 'kfboot hosts step', not while the plan is read",
                  "",
                  ExitCategory.INTERNAL);
            },
            Map.of(),
            PlatformSettings.DEFAULT_COMMAND_TIMEOUT,
            1,
            r -> {},
            extraSteps())
        .plan("");
  }

  public Inventory inventory() {
    return inventory;
  }

  /** The cluster's name: its kubeconfig context. */
  public String cluster() {
    return inventory.cluster();
  }

  public int hostCount() {
    return inventory.hosts().size();
  }

  /** What the inventory allows but a person should know (an even number of servers). */
  public List<String> warnings() {
    return inventory.warnings();
  }

  /**
   * The inventory's servers, reached as the host steps reach them, the one that initialised the
   * cluster first; the caller closes them.
   */
  public List<HostOperator> servers() {
    Function<Inventory.Host, HostOperator> t = transport();
    return inventory.servers().stream().map(t).toList();
  }

  /** The bootstrap of this inventory: every step of {@link #extraSteps()} included. */
  public ClusterBootstrap bootstrap() {
    if (settings.hosts().acceptNewHostKeys()) {
      listener.warning(
          "WARNING: --accept-new-host-keys: keys of hosts not in "
              + settings.hosts().knownHosts()
              + " are trusted on first"
              + " sight and recorded; check them with ssh-keyscan if this network is not yours");
    }
    return new ClusterBootstrap(
        inventory,
        transport(),
        settings.env(),
        settings.hosts().commandTimeout(),
        settings.hosts().parallelism(),
        listener::hostStep,
        extraSteps());
  }

  /** The hosts whose registries.yaml differs from the inventory's, as a plan's results tell. */
  public static List<String> registriesDiffer(List<StepRunner.Result> results) {
    return results.stream()
        .filter(
            r -> r.step().equals(HostSteps.K3S_REGISTRIES) && r.status() != StepRunner.Status.OK)
        .map(StepRunner.Result::host)
        .toList();
  }

  /** Every step's check on every host: what {@code up} would change. */
  public List<StepRunner.Result> plan() {
    return bootstrap().run(true);
  }

  /**
   * Every host prepared and k3s on all of them, in the waves of the {@link HostPlan}; on a running
   * cluster, hosts behind the inventory's k3s version upgraded first and hosts that left the
   * inventory taken out after (see {@link ClusterLifecycle#up}).
   */
  public List<StepRunner.Result> up() {
    return new ClusterLifecycle(settings, listener, this).up();
  }

  /**
   * {@code up} undone, agents first; one host only where {@code host} is given, whose Node then
   * leaves the cluster too (unless it is the first server, which holds the API).
   */
  public List<StepRunner.Result> reset(String host, boolean dryRun) {
    if (host == null) {
      return bootstrap().reset(dryRun);
    }
    List<StepRunner.Result> results = bootstrap().resetHost(host, dryRun);
    if (!dryRun && !host.equals(inventory.servers().get(0).name())) {
      new ClusterLifecycle(settings, listener, this).forgetNode(host);
    }
    return results;
  }

  /**
   * One step on one host after the checks of the steps before it (what the stack runs per
   * resource).
   */
  public List<StepRunner.Result> runStep(String host, String step, boolean planOnly) {
    return bootstrap().runStep(host, step, planOnly);
  }

  /** Where a merged kubeconfig went, and the context it holds the cluster under. */
  public record Merged(Path file, String context, String server) {}

  /**
   * The first server's admin kubeconfig, named after the cluster and pointed at the API endpoint,
   * merged into {@code out} (else KUBECONFIG's first file, else ~/.kube/config), written 0600 and
   * atomically.
   */
  public Merged mergeKubeconfig(Path out) {
    Path file =
        new ClusterConnection(new PlatformSettings.ClusterTarget(out, null), settings.env())
            .source()
            .file();
    ClusterBootstrap b = bootstrap();
    Map<String, Object> fresh = b.kubeconfig();
    try {
      String existing = Files.exists(file) ? Files.readString(file) : "";
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp =
          Files.createTempFile(
              dir,
              ".kubeconfig",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(tmp, Kubeconfigs.merge(existing, fresh));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new KfbootException(
          "cannot write " + file + ": " + e.getMessage(),
          "pass --out with a writable path",
          ExitCategory.INVALID_INPUT);
    }
    return new Merged(file, inventory.cluster(), b.joinUrl());
  }

  /**
   * How each host is reached; the key from {@link Setting#SSH_PRIVATE_KEY_ENV} is held in memory
   * only.
   */
  Function<Inventory.Host, HostOperator> transport() {
    if (reach != null) {
      return reach;
    }
    PlatformSettings.HostAccess access = settings.hosts();
    Path agent =
        Optional.ofNullable(settings.env().get("SSH_AUTH_SOCK"))
            .filter(s -> !s.isBlank())
            .map(Path::of)
            .orElse(null);
    SshTarget.PrivateKey envKey =
        Optional.ofNullable(settings.env().get(Setting.SSH_PRIVATE_KEY_ENV))
            .filter(s -> !s.isBlank())
            .map(
                k ->
                    new SshTarget.PrivateKey(
                        (k.endsWith("\n") ? k : k + "\n").getBytes(StandardCharsets.UTF_8)))
            .orElse(null);
    return h -> {
      HostOperator op =
          access.local()
              ? new LocalHostOperator(h.name())
              : new SshHostOperator(
                  new SshTarget(
                      h.name(),
                      h.address(),
                      h.port(),
                      h.user(),
                      envKey != null ? null : h.identityFile(),
                      envKey,
                      agent,
                      access.knownHosts(),
                      access.acceptNewHostKeys(),
                      CONNECT_TIMEOUT,
                      CONNECT_TIMEOUT),
                  listener::warning);
      return access.printCommands() ? new Printing(op, listener::warning) : op;
    };
  }

  /** Prints each command, redacted, before it runs. */
  private record Printing(HostOperator inner, Consumer<String> out) implements HostOperator {
    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public ExecResult exec(Command command, Duration timeout) {
      out.accept("[" + name() + "] $ " + command.redacted());
      return inner.exec(command, timeout);
    }

    @Override
    public void upload(byte[] content, String path, int mode, String owner) {
      out.accept(
          "["
              + name()
              + "] put "
              + path
              + " ("
              + content.length
              + " bytes, mode "
              + String.format("%04o", mode)
              + ")");
      inner.upload(content, path, mode, owner);
    }

    @Override
    public void upload(Path local, String path, int mode, String owner) {
      out.accept("[" + name() + "] put " + path + " (from " + local + ")");
      inner.upload(local, path, mode, owner);
    }

    @Override
    public byte[] read(String path) {
      return inner.read(path);
    }

    @Override
    public long download(String path, Path local, Duration timeout) {
      out.accept("[" + name() + "] get " + path + " -> " + local);
      return inner.download(path, local, timeout);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
