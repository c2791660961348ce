package io.kfboot.bootstrap.k3s;

import io.kfboot.bootstrap.steps.Step;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code hosts up} does, as data: waves of host steps in the order HA needs them. Every host's
 * preparation at once; k3s on the first server; each other server alone (embedded etcd admits one
 * member at a time); the agents at once; then the wait for every node Ready on the first server.
 * {@link ClusterBootstrap} runs the waves over SSH; the Pulumi stack turns the same waves into
 * resources, so the order is written once.
 *
 * @param waves in order; a host may have steps in several waves
 */
public record HostPlan(List<Wave> waves) {
  /** What a wave's first steps wait for. */
  public enum After {
    /** The last step of every host of the wave before. */
    PREVIOUS_WAVE,
    /** The last step of every host so far (the final barrier). */
    EVERY_HOST
  }

  /**
   * @param name for progress ("prepare", "k3s on server-1", ...)
   * @param parallel whether its hosts run at once
   * @param steps each host's steps in this wave, in order
   */
  public record Wave(String name, boolean parallel, After after, Map<String, List<Step>> steps) {
    public Wave {
      steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }
  }

  public HostPlan {
    waves = List.copyOf(waves);
  }

  /** Every step of {@code host}, in the order {@code up} runs them. */
  public List<Step> stepsOf(String host) {
    List<Step> out = new ArrayList<>();
    for (Wave w : waves) {
      out.addAll(w.steps().getOrDefault(host, List.of()));
    }
    return out;
  }

  public List<String> stepIdsOf(String host) {
    return stepsOf(host).stream().map(Step::id).toList();
  }

  /** The wave that holds {@code stepId} of {@code host}. */
  public Optional<Wave> waveOf(String host, String stepId) {
    return waves.stream()
        .filter(
            w ->
                w.steps().getOrDefault(host, List.of()).stream()
                    .anyMatch(s -> s.id().equals(stepId)))
        .findFirst();
  }
}
