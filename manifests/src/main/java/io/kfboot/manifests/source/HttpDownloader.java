package io.kfboot.manifests.source;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.core.Retry;
import io.kfboot.manifests.ManifestsException.DownloadException;
import io.kfboot.manifests.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;

/**
 * Downloads a file over HTTP(S) into place atomically: bytes go to a temp file in the target's
 * folder, which is moved over the target only once complete. A partial download is never seen.
 *
 * <p>Retries cover transient failures only: connection errors and timeouts, 429 and 5xx gateway
 * answers, and a body shorter than its Content-Length. Anything else (404, 403) fails at once.
 */
public final class HttpDownloader {
  private static final Set<Integer> TRANSIENT_STATUS = Set.of(429, 500, 502, 503, 504);
  private static final long PROGRESS_STEP_BYTES = 4L << 20;

  private final HttpClient client;
  private final Duration requestTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Progress progress;

  public HttpDownloader(
      Duration connectTimeout,
      Duration requestTimeout,
      int maxAttempts,
      Duration initialBackoff,
      Progress progress) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    this.requestTimeout = requestTimeout;
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.progress = progress;
  }

  /** Defaults for release tarballs: 20 s to connect, 10 min in all, 4 attempts from 2 s. */
  public static HttpDownloader defaults(Progress progress) {
    return new HttpDownloader(
        Duration.ofSeconds(20), Duration.ofMinutes(10), 4, Duration.ofSeconds(2), progress);
  }

  /** Downloads {@code url} to {@code target}; returns the number of bytes written. */
  public long download(URI url, Path target) {
    Retry retry =
        new Retry(
            maxAttempts,
            initialBackoff,
            initialBackoff.multipliedBy(1L << Math.min(maxAttempts, 10)));
    try {
      return retry.run(
          "download of " + url,
          () -> downloadOnce(url, target),
          e -> e instanceof TransientFailure,
          (what, attempt, attempts, error, pause) ->
              progress.report(
                  what
                      + " failed ("
                      + error.getMessage()
                      + "), attempt "
                      + attempt
                      + "/"
                      + attempts
                      + ", retrying in "
                      + pause.toMillis()
                      + " ms"));
    } catch (TransientFailure e) {
      throw new DownloadException(
          "download of " + url + " failed after " + maxAttempts + " attempts: " + e.getMessage(),
          "check the network or a proxy, or download the tarball yourself and pass it with"
              + " --manifests FILE",
          e.getCause());
    }
  }

  private long downloadOnce(URI url, Path target) {
    Path parent = target.toAbsolutePath().getParent();
    Path part;
    try {
      Files.createDirectories(parent);
      part = Files.createTempFile(parent, ".part-", ".download");
    } catch (IOException e) {
      // Local disk trouble is no network hiccup: not retried.
      throw new DownloadException(
          "cannot write into " + parent + ": " + e.getMessage(),
          "check free space and permissions of the cache (KFBOOT_CACHE_DIR)",
          e);
    }
    try {
      HttpRequest request =
          HttpRequest.newBuilder(url)
              .timeout(requestTimeout)
              .header("User-Agent", "kfboot")
              .GET()
              .build();
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      int status = response.statusCode();
      if (status != 200) {
        response.body().close();
        if (TRANSIENT_STATUS.contains(status)) {
          throw new TransientFailure("HTTP " + status, null);
        }
        throw new DownloadException(
            "download of " + url + " answered HTTP " + status,
            status == 404
                ? "check that the release tag exists upstream, or pass a local tarball with"
                    + " --manifests FILE"
                : "check access to the URL, or pass a local tarball with --manifests FILE",
            null);
      }
      long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      long written = copyWithProgress(response.body(), part, url, expected);
      if (expected >= 0 && written != expected) {
        throw new TransientFailure(
            "connection closed after " + written + " of " + expected + " bytes", null);
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      part = null;
      return written;
    } catch (HttpTimeoutException | ConnectException e) {
      throw new TransientFailure(e.toString(), e);
    } catch (IOException e) {
      throw new TransientFailure(e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DownloadException("download of " + url + " was interrupted", "run it again", e);
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException ignored) {
          // The .part- file is in the cache and harmless; the next run overwrites nothing with it.
        }
      }
    }
  }

  private long copyWithProgress(InputStream in, Path part, URI url, long expected)
      throws IOException {
    long written = 0;
    long nextReport = PROGRESS_STEP_BYTES;
    byte[] buffer = new byte[64 * 1024];
    try (in;
        OutputStream out = Files.newOutputStream(part)) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        written += n;
        if (written >= nextReport) {
          progress.report(
              "downloading "
                  + url.getPath()
                  + ": "
                  + (written >> 20)
                  + " MiB"
                  + (expected > 0 ? " of " + (expected >> 20) + " MiB" : ""));
          nextReport += PROGRESS_STEP_BYTES;
        }
      }
    }
    return written;
  }

  /** A failure worth another attempt. */
  private static final class TransientFailure extends KfbootException {
    TransientFailure(String message, Throwable cause) {
      super(message, "check the network or a proxy", ExitCategory.NETWORK, cause);
    }
  }
}
