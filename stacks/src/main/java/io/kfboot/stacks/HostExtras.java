package io.kfboot.stacks;

import io.kfboot.bootstrap.steps.Step;
import io.kfboot.gpu.ContainerToolkitStep;
import io.kfboot.gpu.GpuDriverStep;
import io.kfboot.storage.NfsHostSteps;
import java.util.ArrayList;
import java.util.List;

/**
 * The host steps of the GPU and storage modules, run on every host after kfboot's own preparation
 * and before k3s is configured (the GPU count they find becomes a node label); each is a no-op
 * where it does not apply. One list for {@code kfboot hosts} and the stack.
 */
public final class HostExtras {
  private HostExtras() {}

  public static List<Step> steps() {
    List<Step> steps = new ArrayList<>(List.of(new GpuDriverStep(), new ContainerToolkitStep()));
    steps.addAll(NfsHostSteps.all());
    return steps;
  }
}
