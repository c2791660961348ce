package io.kfboot.components.testing;

import io.kfboot.components.upgrade.PodExec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A pod's part played on this machine: the argv kfboot would run in the pod, with the same stdin,
 * run here, where a test's database listens on loopback as the pod's does inside it. Records each
 * argv run.
 */
public final class LocalPodExec implements PodExec {
  private final List<List<String>> ran = new CopyOnWriteArrayList<>();
  private final Map<Integer, Integer> ports = new ConcurrentHashMap<>();

  /**
   * The pod's port {@code inPod} is {@code here} on this machine (a test server's random port), as
   * a port-forward would make it: "--port=IN" in the argv becomes "--port=HERE".
   */
  public LocalPodExec port(int inPod, int here) {
    ports.put(inPod, here);
    return this;
  }

  public List<List<String>> ran() {
    return List.copyOf(ran);
  }

  @Override
  public int exec(
      String namespace,
      String pod,
      String container,
      List<String> argv,
      InputStream stdin,
      OutputStream stdout,
      ByteArrayOutputStream stderr) {
    ran.add(List.copyOf(argv));
    List<String> local = new ArrayList<>();
    for (String a : argv) {
      for (Map.Entry<Integer, Integer> e : ports.entrySet()) {
        a = a.replace("--port=" + e.getKey(), "--port=" + e.getValue());
      }
      local.add(a);
    }
    try {
      Process p = new ProcessBuilder(local).start();
      Thread err = new Thread(() -> copy(p.getErrorStream(), stderr));
      Thread in =
          new Thread(
              () -> {
                try (OutputStream o = p.getOutputStream()) {
                  stdin.transferTo(o);
                } catch (IOException e) {
                  // the program stopped reading; its exit code says why
                }
              });
      err.start();
      in.start();
      p.getInputStream().transferTo(stdout);
      err.join();
      in.join();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
