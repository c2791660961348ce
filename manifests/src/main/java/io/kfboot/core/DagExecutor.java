package io.kfboot.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs tasks as soon as every task they depend on has finished, at most {@code parallelism} at
 * once. The one executor behind the install engine's components, the hosts of a parallel wave, the
 * objects of one apply phase and the renders of a release: each had its own pool and its own way to
 * stop on a failure before.
 *
 * <p>{@link Listener#started} and {@link Listener#finished} are called on the caller's thread, so a
 * listener may keep state without locks (the engine writes its install record there). On the first
 * failure no task starts any more; what runs is either interrupted ({@link
 * OnFailure#CANCEL_RUNNING}: renders, components, whose rerun resumes) or left to finish ({@link
 * OnFailure#FINISH_RUNNING}: a host half way through a package install), and waited for in both
 * cases, so that nothing runs behind the thrown failure.
 */
public final class DagExecutor {
  /** What happens to running tasks when one fails. */
  public enum OnFailure {
    CANCEL_RUNNING,
    FINISH_RUNNING
  }

  /**
   * @param dependsOn ids of other tasks; an id that is not a task of the run counts as done
   */
  public record Task<R>(String id, Set<String> dependsOn, Callable<R> work) {
    public Task {
      dependsOn = Set.copyOf(dependsOn);
    }
  }

  /** Called on the caller's thread. */
  public interface Listener<R> {
    default void started(String id) {}

    default void finished(String id, R result) {}
  }

  /** How long a failed or interrupted run waits for its running tasks to end. */
  private static final long DRAIN_SECONDS = 60;

  private final String threadName;
  private final int parallelism;
  private final OnFailure onFailure;

  public DagExecutor(String threadName, int parallelism, OnFailure onFailure) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    this.threadName = threadName;
    this.parallelism = parallelism;
    this.onFailure = onFailure;
  }

  /**
   * Runs every task; returns each result by id, in the order the tasks finished. A task's exception
   * is rethrown as it is (a checked one wrapped in an IllegalStateException).
   *
   * @throws InterruptedException when the caller is interrupted; running tasks are interrupted and
   *     waited for first
   */
  public <R> Map<String, R> run(List<Task<R>> tasks, Listener<R> listener)
      throws InterruptedException {
    Map<String, R> results = new LinkedHashMap<>();
    if (tasks.isEmpty()) {
      return results;
    }
    Map<String, Task<R>> byId = new HashMap<>();
    for (Task<R> t : tasks) {
      if (byId.put(t.id(), t) != null) {
        throw new IllegalArgumentException("two tasks named " + t.id());
      }
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(parallelism, tasks.size()),
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    CompletionService<Finished<R>> completion = new ExecutorCompletionService<>(pool);
    Set<String> submitted = new HashSet<>();
    boolean drained = false;
    try {
      int running = submitReady(tasks, byId, results, submitted, completion, listener);
      while (running > 0) {
        Finished<R> f;
        try {
          f = completion.take().get();
        } catch (ExecutionException e) {
          drain(pool, running - 1, completion);
          drained = true;
          throw rethrown(e.getCause());
        }
        running--;
        results.put(f.id(), f.result());
        try {
          listener.finished(f.id(), f.result());
        } catch (RuntimeException | Error e) {
          drain(pool, running, completion);
          drained = true;
          throw e;
        }
        running += submitReady(tasks, byId, results, submitted, completion, listener);
      }
      if (submitted.size() < tasks.size()) {
        List<String> stuck =
            tasks.stream().map(Task::id).filter(id -> !submitted.contains(id)).toList();
        throw new IllegalStateException("tasks that wait on each other in a cycle: " + stuck);
      }
      return results;
    } catch (InterruptedException e) {
      pool.shutdownNow();
      awaitTermination(pool);
      drained = true;
      throw e;
    } finally {
      if (!drained) {
        pool.shutdownNow();
      }
    }
  }

  /** Each item's result, in the items' order: tasks that depend on nothing. */
  public <T, R> List<R> forEach(List<T> items, Function<T, R> work) throws InterruptedException {
    List<Task<R>> tasks = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      T item = items.get(i);
      tasks.add(new Task<>(String.valueOf(i), Set.of(), () -> work.apply(item)));
    }
    Map<String, R> byIndex = run(tasks, new Listener<>() {});
    List<R> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(byIndex.get(String.valueOf(i)));
    }
    return out;
  }

  private record Finished<R>(String id, R result) {}

  private <R> int submitReady(
      List<Task<R>> tasks,
      Map<String, Task<R>> byId,
      Map<String, R> done,
      Set<String> submitted,
      CompletionService<Finished<R>> completion,
      Listener<R> listener) {
    int n = 0;
    for (Task<R> t : tasks) {
      if (submitted.contains(t.id())) {
        continue;
      }
      if (t.dependsOn().stream().allMatch(d -> done.containsKey(d) || !byId.containsKey(d))) {
        submitted.add(t.id());
        listener.started(t.id());
        completion.submit(() -> new Finished<>(t.id(), t.work().call()));
        n++;
      }
    }
    return n;
  }

  /** After a failure: nothing new starts; what runs is interrupted or finishes, and is awaited. */
  private <R> void drain(ExecutorService pool, int running, CompletionService<Finished<R>> c) {
    int toAwait = running;
    if (onFailure == OnFailure.CANCEL_RUNNING) {
      // tasks still queued never run, so their results never come
      toAwait -= pool.shutdownNow().size();
    } else {
      pool.shutdown();
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
    for (int i = 0; i < toAwait; i++) {
      try {
        if (c.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) == null) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
        pool.shutdownNow();
      }
    }
    pool.shutdownNow();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitTermination(ExecutorService pool) {
    try {
      pool.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static RuntimeException rethrown(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }
}
