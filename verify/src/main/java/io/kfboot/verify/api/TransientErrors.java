package io.kfboot.verify.api;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * Which API failures are worth another attempt. Everything else is a real answer (403, 404, 422, a
 * webhook that rejects the object) and fails fast. Kept in one place so that waits and applies
 * agree, and so that retries happen at one level only: kfboot turns fabric8's own request retries
 * off.
 */
public final class TransientErrors {
  /** 409 is a lost optimistic-concurrency race (another writer got in between); 429 throttling. */
  private static final Set<Integer> TRANSIENT_CODES = Set.of(409, 429, 500, 502, 503, 504);

  private TransientErrors() {}

  public static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        // A webhook whose backend is not there yet answers 500 "failed calling webhook": transient.
        // A webhook that denies the object is a real answer, whatever the code.
        if (isWebhookUnavailable(k)) {
          return true;
        }
        return !isWebhookRejection(k) && TRANSIENT_CODES.contains(k.getCode());
      }
      if (t instanceof KubernetesClientException k
          && k.getCode() <= 0
          && !(t.getCause() instanceof KubernetesClientException)) {
        // no HTTP status at all: the answer never arrived or could not be read (a reset, a proxy
        // that
        // answered malformed HTTP such as "Multiple Content-Length values found"). kfboot's writes
        // are
        // server-side applies and its reads gets and lists, all idempotent, so another attempt is
        // safe.
        return true;
      }
      if (t instanceof IOException) {
        // connection refused or reset, timeouts, a dropped connection mid-response
        return true;
      }
    }
    return false;
  }

  /** "failed calling webhook ... no endpoints available / connection refused": not ready yet. */
  public static boolean isWebhookUnavailable(Throwable e) {
    String m = messages(e);
    return m.contains("failed calling webhook")
        && (m.contains("no endpoints available")
            || m.contains("connection refused")
            || m.contains("context deadline exceeded"));
  }

  private static boolean isWebhookRejection(KubernetesClientException k) {
    String m = messages(k);
    return m.contains("denied the request");
  }

  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
      if (t instanceof KubernetesClientException k
          && k.getStatus() != null
          && k.getStatus().getMessage() != null) {
        sb.append(k.getStatus().getMessage()).append('\n');
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
