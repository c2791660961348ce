package io.kfboot.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.core.DagExecutor.OnFailure;
import io.kfboot.core.DagExecutor.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DagExecutorTest {
  final List<String> events = Collections.synchronizedList(new ArrayList<>());

  Task<String> task(String id, Set<String> deps) {
    return new Task<>(
        id,
        deps,
        () -> {
          events.add("run " + id);
          return id.toUpperCase();
        });
  }

  @Test
  void aTaskStartsOnlyOnceEveryTaskItDependsOnHasFinished() throws Exception {
    Thread caller = Thread.currentThread();
    List<Thread> listenerThreads = Collections.synchronizedList(new ArrayList<>());
    Map<String, String> results =
        new DagExecutor("test", 4, OnFailure.CANCEL_RUNNING)
            .run(
                List.of(
                    task("istio", Set.of("crds")),
                    task("crds", Set.of()),
                    task("dex", Set.of("istio", "cert-manager")),
                    task("cert-manager", Set.of("not-in-this-run"))),
                new DagExecutor.Listener<>() {
                  @Override
                  public void started(String id) {
                    listenerThreads.add(Thread.currentThread());
                    events.add("start " + id);
                  }

                  @Override
                  public void finished(String id, String result) {
                    listenerThreads.add(Thread.currentThread());
                    events.add("done " + id);
                  }
                });
    assertThat(results).containsEntry("dex", "DEX").hasSize(4);
    assertThat(events.indexOf("start istio")).isGreaterThan(events.indexOf("done crds"));
    assertThat(events.indexOf("start dex"))
        .isGreaterThan(events.indexOf("done istio"))
        .isGreaterThan(events.indexOf("done cert-manager"));
    assertThat(events.indexOf("start cert-manager"))
        .as("a dependency outside the run counts as done")
        .isLessThan(events.indexOf("done crds"));
    assertThat(listenerThreads).as("the listener runs on the caller's thread").containsOnly(caller);
  }

  @Test
  void independentTasksRunTogetherButNeverMoreThanTheParallelism() throws Exception {
    // two at a time must meet at the barrier; with less parallelism it would never open
    CyclicBarrier pair = new CyclicBarrier(2);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Integer> out =
        new DagExecutor("test", 2, OnFailure.CANCEL_RUNNING)
            .forEach(
                List.of(1, 2, 3, 4, 5, 6),
                i -> {
                  most.accumulateAndGet(now.incrementAndGet(), Math::max);
                  try {
                    pair.await(2, TimeUnit.MINUTES);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  now.decrementAndGet();
                  return i * 10;
                });
    assertThat(out).as("in the items' order").containsExactly(10, 20, 30, 40, 50, 60);
    assertThat(most.get()).isEqualTo(2);
  }

  @Test
  void onAFailureRunningTasksAreInterruptedAndAwaitedAndNothingElseStarts() {
    CountDownLatch slowRuns = new CountDownLatch(1);
    AtomicBoolean slowEnded = new AtomicBoolean();
    AtomicBoolean dependentRan = new AtomicBoolean();
    assertThatThrownBy(
            () ->
                new DagExecutor("test", 2, OnFailure.CANCEL_RUNNING)
                    .run(
                        List.of(
                            new Task<>(
                                "slow",
                                Set.of(),
                                () -> {
                                  slowRuns.countDown();
                                  try {
                                    Thread.sleep(TimeUnit.MINUTES.toMillis(10));
                                  } finally {
                                    slowEnded.set(true);
                                  }
                                  return "";
                                }),
                            new Task<>(
                                "bad",
                                Set.of(),
                                () -> {
                                  slowRuns.await();
                                  throw new KfbootException(
                                      "boom", "fix it", ExitCategory.UNEXPECTED_STATE);
                                }),
                            new Task<>(
                                "after-bad",
                                Set.of("bad"),
                                () -> {
                                  dependentRan.set(true);
                                  return "";
                                })),
                        new DagExecutor.Listener<>() {}))
        .isInstanceOf(KfbootException.class)
        .hasMessage("boom");
    assertThat(slowEnded).as("interrupted and waited for before the failure is thrown").isTrue();
    assertThat(dependentRan).isFalse();
  }

  @Test
  void withFinishRunningARunningTaskEndsItsWorkBeforeTheFailureIsThrown() {
    CountDownLatch hostStarted = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    assertThatThrownBy(
            () ->
                new DagExecutor("test", 2, OnFailure.FINISH_RUNNING)
                    .forEach(
                        List.of("agent-1", "agent-2"),
                        h -> {
                          if (h.equals("agent-1")) {
                            hostStarted.countDown();
                            // CANCEL_RUNNING would interrupt this sleep (the failure comes
                            // after it began); FINISH_RUNNING lets it end
                            try {
                              Thread.sleep(2000);
                              finished.set(true);
                            } catch (InterruptedException e) {
                              finished.set(false);
                            }
                            return h;
                          }
                          try {
                            hostStarted.await();
                          } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                          }
                          throw new IllegalStateException("agent-2 failed");
                        }))
        .hasMessage("agent-2 failed");
    assertThat(finished).isTrue();
  }

  @Test
  void tasksThatWaitOnEachOtherAreNamed() {
    assertThatThrownBy(
            () ->
                new DagExecutor("test", 2, OnFailure.CANCEL_RUNNING)
                    .run(
                        List.of(
                            task("a", Set.of("b")), task("b", Set.of("a")), task("c", Set.of())),
                        new DagExecutor.Listener<>() {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tasks that wait on each other in a cycle: [a, b]");
    assertThat(events).containsExactly("run c");
  }

  @Test
  void tasksStillQueuedAtAFailureNeverRunAndAreNotWaitedFor() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    List<Task<String>> tasks = new ArrayList<>();
    tasks.add(
        new Task<>(
            "bad",
            Set.of(),
            () -> {
              throw new IllegalStateException("bad");
            }));
    for (int i = 0; i < 20; i++) {
      tasks.add(
          new Task<>(
              "queued-" + i,
              Set.of(),
              () -> {
                ran.incrementAndGet();
                // holds the only thread until the failure interrupts it: the rest stay queued
                Thread.sleep(TimeUnit.MINUTES.toMillis(10));
                return "";
              }));
    }
    // one thread: "bad" runs first, the others wait in the queue behind it
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                new DagExecutor("test", 1, OnFailure.CANCEL_RUNNING)
                    .run(tasks, new DagExecutor.Listener<>() {}))
        .hasMessage("bad");
    assertThat(ran.get()).as("at most the one that took the thread").isLessThanOrEqualTo(1);
    // far from both ends: milliseconds, or the 60 s a wait for a result that never comes takes
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(45));
  }
}
