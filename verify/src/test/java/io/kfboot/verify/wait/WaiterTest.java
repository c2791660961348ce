package io.kfboot.verify.wait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kfboot.verify.VerifyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The waiter on a fake clock: no real time passes. */
class WaiterTest {
  /** Time moves only when the waiter sleeps. */
  static final class FakeClock implements Waiter.Clock {
    long now;
    int sleeps;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(Duration d) {
      now += d.toNanos();
      sleeps++;
    }
  }

  private static Condition condition(Supplier<ConditionResult> check) {
    return new Condition() {
      @Override
      public String watchKey() {
        return "Deployment kubeflow/ml-pipeline";
      }

      @Override
      public String description() {
        return "Deployment kubeflow/ml-pipeline Available";
      }

      @Override
      public ConditionResult check() {
        return check.get();
      }

      @Override
      public List<String> namespaces() {
        return List.of("kubeflow");
      }
    };
  }

  @Test
  void returnsOnceTheConditionHoldsAndReportsEachNewDetailOnce() {
    FakeClock clock = new FakeClock();
    Iterator<ConditionResult> results =
        List.of(
                ConditionResult.pending("0/1 available"), ConditionResult.pending("0/1 available"),
                ConditionResult.pending("1/2 available"), ConditionResult.met("2/2 available"))
            .iterator();
    List<String> reported = new ArrayList<>();
    Waiter waiter =
        new Waiter(
            Duration.ofSeconds(2),
            ns -> "unused",
            (c, r, elapsed) -> reported.add(r.detail() + " @" + elapsed.toSeconds()),
            clock);

    ConditionResult r = waiter.await(condition(results::next), Duration.ofMinutes(1));

    assertThat(r.detail()).isEqualTo("2/2 available");
    assertThat(reported).containsExactly("0/1 available @0", "1/2 available @4");
    assertThat(clock.sleeps).isEqualTo(3);
  }

  @Test
  void timesOutWithTheLastDetailAndTheDiagnosticsOfItsNamespaces() {
    FakeClock clock = new FakeClock();
    Waiter waiter =
        new Waiter(Duration.ofSeconds(1), ns -> "dump of " + ns, Waiter.Listener.NONE, clock);

    assertThatThrownBy(
            () ->
                waiter.await(
                    condition(() -> ConditionResult.pending("0/1 available")),
                    Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            VerifyException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo(
                      "timed out after 10s waiting for Deployment kubeflow/ml-pipeline Available:"
                          + " 0/1 available");
              assertThat(e.diagnostics()).isEqualTo("dump of [kubeflow]");
              assertThat(e.fix()).contains("--timeout");
            });
    assertThat(clock.now).isEqualTo(Duration.ofSeconds(10).toNanos());
  }

  @Test
  void transientApiFailuresCountAsNotYetOthersEndTheWait() {
    FakeClock clock = new FakeClock();
    Waiter waiter = new Waiter(Duration.ofSeconds(1), ns -> "", Waiter.Listener.NONE, clock);
    int[] calls = {0};
    ConditionResult r =
        waiter.await(
            condition(
                () -> {
                  if (calls[0]++ < 2) {
                    throw new KubernetesClientException("service unavailable", 503, null);
                  }
                  return ConditionResult.met("ok");
                }),
            Duration.ofMinutes(1));
    assertThat(r.met()).isTrue();
    assertThat(calls[0]).isEqualTo(3);

    assertThatThrownBy(
            () ->
                waiter.await(
                    condition(
                        () -> {
                          throw new KubernetesClientException("forbidden", 403, null);
                        }),
                    Duration.ofMinutes(1)))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("forbidden");
  }

  @Test
  void anInterruptedWaitStopsAtOnce() {
    Waiter waiter =
        new Waiter(
            Duration.ofSeconds(1),
            ns -> "",
            Waiter.Listener.NONE,
            new Waiter.Clock() {
              @Override
              public long nanoTime() {
                return 0;
              }

              @Override
              public void sleep(Duration d) throws InterruptedException {
                throw new InterruptedException();
              }
            });
    assertThatThrownBy(
            () ->
                waiter.await(condition(() -> ConditionResult.pending("no")), Duration.ofMinutes(1)))
        .isInstanceOf(Waiter.WaitInterruptedException.class);
    assertThat(Thread.interrupted()).as("the interrupt flag is kept").isTrue();
  }

  @Test
  void withWatchesAPendingConditionIsLookedAtAgainAsSoonAsTheClusterChanges() throws Exception {
    ChangeSignal changes = new ChangeSignal();
    boolean[] ready = {false};
    Waiter waiter =
        new Waiter(
            Duration.ofMinutes(30), ns -> "", Waiter.Listener.NONE, Waiter.Clock.SYSTEM, changes);
    Thread later =
        new Thread(
            () -> {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                return;
              }
              changes.signal("Deployment other/thing"); // another object: no reason to look again
              ready[0] = true;
              changes.signal("Deployment kubeflow/ml-pipeline");
            });
    later.start();
    long t0 = System.nanoTime();
    waiter.await(
        condition(() -> ready[0] ? ConditionResult.met("now") : ConditionResult.pending("not yet")),
        Duration.ofHours(1));
    // far from both ends, so that load cannot decide it: milliseconds, or the 30 min poll
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .as("woken by the change, not by the 30 min poll")
        .isLessThan(Duration.ofMinutes(5));
    later.join();
  }
}
