package io.kfboot.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a front end was given, before kfboot's precedence is applied: every field null (or empty)
 * where the person said nothing. The CLI fills it from its options (flags, and the environment
 * through its default-value provider), the stack from its config; {@link PlatformSettings#resolve}
 * adds the inventory and the defaults, once, for every command.
 */
public final class SettingsInput {
  // the release and how it is rendered
  public String manifests;
  public String sha256;
  public String release;
  public Path catalog;
  public Path kustomize;
  public boolean allowRemoteBases;
  public Duration renderTimeout;
  public boolean quiet;

  // which components
  public List<String> components = new ArrayList<>();
  public List<String> without = new ArrayList<>();
  public String gatewayServiceType;
  public boolean allowInsecureHttp;
  public Path gatewayCa;
  public boolean gpu;
  public boolean noK3sAdaptations;

  // storage and GPUs (else the inventory's)
  public Path inventory;
  public String storage;
  public String nfsServer;
  public String nfsPath;
  public Integer timeSlicing;
  public boolean gpuOperator;

  // the cluster
  public Path kubeconfig;
  public String context;

  // installing
  public Duration timeout;
  public Integer parallelism;
  public Duration pollInterval;
  public boolean noWatch;
  public String adminEmail;
  public String issuer;
  public boolean noAuthCheck;
  public boolean noStoreCheck;

  /**
   * The access sections ({@code auth:}) as YAML text, where they come from somewhere else than the
   * inventory file (the stack's config); null to read them from the inventory.
   */
  public String accessYaml;

  public Path credentials;
  public boolean verbose;

  // hosts
  public Path knownHosts;
  public boolean acceptNewHostKeys;
  public boolean local;
  public boolean printCommands;
  public Integer hostParallelism;
  public Duration commandTimeout;

  // verifying
  public String gatewayUrl;
}
