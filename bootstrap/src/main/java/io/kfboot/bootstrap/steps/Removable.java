package io.kfboot.bootstrap.steps;

/**
 * A step that {@code kfboot hosts reset} can undo: {@link #undo} is a step of its own (check,
 * apply, check again) whose check holds once nothing this step changed is left. It undoes only what
 * kfboot did (steps record what they installed), and where undoing would destroy data or break what
 * else uses it, its check says so and leaves it, naming what a person may remove.
 */
public interface Removable {
  Step undo();
}
