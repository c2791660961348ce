package io.kfboot.stacks;

import com.pulumi.Context;
import com.pulumi.core.Alias;
import com.pulumi.core.Output;
import com.pulumi.core.internal.Internal;
import com.pulumi.resources.Resource;
import com.pulumi.resources.ResourceTransformation;
import com.pulumi.test.Mocks;
import com.pulumi.test.PulumiTest;
import com.pulumi.test.TestOptions;
import com.pulumi.test.TestResult;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a stack program under Pulumi's mocks (no CLI, no network) and records what the engine would
 * see: every resource's type, name, inputs, parent and dependsOn, the latter through a
 * ResourceTransformation, since mocks are not told dependencies.
 */
final class StackHarness {
  /**
   * One registration as the engine would receive it. Dependencies and secretness are futures of the
   * engine's own, read only once the run is over: waiting on them while the program runs can stall
   * it (a transformation runs where the engine is still resolving the very outputs).
   */
  record Registered(
      String type,
      String name,
      Map<String, Object> inputs,
      String parent,
      CompletableFuture<List<String>> dependsOnLater,
      String version,
      CompletableFuture<Boolean> secretLater,
      boolean retainOnDelete,
      CompletableFuture<List<String>> aliasParentsLater) {
    List<String> dependsOn() {
      return dependsOnLater.join();
    }

    boolean secretInputs() {
      return secretLater.join();
    }

    /** The parent URNs the resource's aliases name. */
    List<String> aliasParents() {
      return aliasParentsLater.join();
    }
  }

  static final String K3S_YAML =
      """
      apiVersion: v1
      kind: Config
      clusters: [{name: default, cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: Q0E=}}]
      users: [{name: default, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}]
      contexts: [{name: default, context: {cluster: default, user: default}}]
      current-context: default
      """;

  final Map<String, Registered> byName = new ConcurrentHashMap<>();
  final List<String> order = new CopyOnWriteArrayList<>();

  /** What the program threw, as the engine would report it. */
  List<Exception> exceptions = List.of();

  TestResult result;
  private final Map<String, Options> options = new ConcurrentHashMap<>();

  private record Options(
      String parent,
      CompletableFuture<List<String>> dependsOn,
      String version,
      CompletableFuture<Boolean> secretInputs,
      boolean retainOnDelete,
      CompletableFuture<List<String>> aliasParents) {}

  private static final Options NONE =
      new Options(
          null,
          CompletableFuture.completedFuture(List.of()),
          null,
          CompletableFuture.completedFuture(false),
          false,
          CompletableFuture.completedFuture(List.of()));

  TestResult run(Consumer<Context> program) {
    ResourceTransformation record =
        a -> {
          Resource r = a.resource();
          Output<List<Resource>> dependsOn = a.options().getDependsOn();
          CompletableFuture<List<String>> deps =
              dependsOn == null
                  ? CompletableFuture.completedFuture(List.of())
                  : Internal.of(dependsOn)
                      .getValueOrDefault(List.of())
                      .thenApply(list -> list.stream().map(Resource::pulumiResourceName).toList());
          String parent = a.options().getParent().map(Resource::pulumiResourceName).orElse(null);
          List<CompletableFuture<String>> aliases =
              a.options().getAliases() == null
                  ? List.of()
                  : a.options().getAliases().stream()
                      .map(
                          alias ->
                              Internal.of(alias)
                                  .getValueOrDefault(null)
                                  .thenCompose(
                                      (Alias al) ->
                                          al == null || al.getParentUrn().isEmpty()
                                              ? CompletableFuture.completedFuture("")
                                              : Internal.of(al.getParentUrn().get())
                                                  .getValueOrDefault("")))
                      .toList();
          options.put(
              r.pulumiResourceName(),
              new Options(
                  parent,
                  deps,
                  a.options().getVersion().orElse(null),
                  anySecret(a.args()),
                  a.options().isRetainOnDelete(),
                  CompletableFuture.allOf(aliases.toArray(CompletableFuture[]::new))
                      .thenApply(v -> aliases.stream().map(CompletableFuture::join).toList())));
          return Optional.empty();
        };
    Mocks mocks =
        new Mocks() {
          @Override
          public CompletableFuture<ResourceResult> newResourceAsync(ResourceArgs args) {
            Options o = options.getOrDefault(args.name, NONE);
            byName.put(
                args.name,
                new Registered(
                    args.type,
                    args.name,
                    args.inputs,
                    o.parent(),
                    o.dependsOn(),
                    o.version(),
                    o.secretInputs(),
                    o.retainOnDelete(),
                    o.aliasParents()));
            order.add(args.name);
            Map<String, Object> state = new HashMap<>(args.inputs);
            if (args.type.equals("command:remote:Command")) {
              // what the command provider reports after 'cat /etc/rancher/k3s/k3s.yaml' on a k3s
              // server
              state.put("stdout", K3S_YAML);
            }
            return CompletableFuture.completedFuture(
                ResourceResult.of(Optional.of(args.name + "-id"), state));
          }
        };
    try {
      // bounded: Pulumi's test runtime has been seen to stall on a second full stack in one JVM
      return PulumiTest.withMocks(mocks)
          .withOptions(
              TestOptions.builder()
                  .projectName("kfboot")
                  .stackName("test")
                  .resourceTransformations(List.of(record))
                  .build())
          .runTestAsync(program)
          .get(120, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the stack program did not finish under mocks within 120 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      throw new AssertionError("the mocked run failed", e.getCause());
    } finally {
      PulumiTest.cleanup();
    }
  }

  /**
   * Whether any Output field of the args is secret, read by reflection as the engine's serializer
   * does; known once resolved.
   */
  private static CompletableFuture<Boolean> anySecret(Object args) {
    if (args == null) {
      return CompletableFuture.completedFuture(false);
    }
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (Field f : args.getClass().getDeclaredFields()) {
      if (Output.class.isAssignableFrom(f.getType())) {
        try {
          f.setAccessible(true);
          Output<?> out = (Output<?>) f.get(args);
          if (out != null) {
            all.add(Internal.of(out).isSecret());
          }
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(v -> all.stream().anyMatch(CompletableFuture::join));
  }

  List<Registered> ofType(String type) {
    return order.stream().map(byName::get).filter(r -> r.type().equals(type)).toList();
  }
}
