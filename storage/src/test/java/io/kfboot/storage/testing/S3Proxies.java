package io.kfboot.storage.testing;

import io.kfboot.storage.objectstore.S3Store;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/** A real S3 server in the test's JVM: s3proxy over jclouds' in-memory store, on loopback. */
public final class S3Proxies implements AutoCloseable {
  private final S3Proxy proxy;
  private final BlobStoreContext context;
  public final S3Store store;

  private S3Proxies(S3Proxy proxy, BlobStoreContext context, S3Store store) {
    this.proxy = proxy;
    this.context = context;
    this.store = store;
  }

  public static S3Proxies start(String accessKey, String secretKey) throws Exception {
    BlobStoreContext context = context();
    return start(context, context.getBlobStore(), accessKey, secretKey);
  }

  /**
   * A store that answers reads and refuses every write, as s3proxy's own read-only mode does
   * ({@code s3proxy.read-only-blobstore}), with {@code bucket} made first.
   */
  public static S3Proxies startReadOnly(String accessKey, String secretKey, String bucket)
      throws Exception {
    BlobStoreContext context = context();
    context.getBlobStore().createContainerInLocation(null, bucket);
    // s3proxy's ReadOnlyBlobStore is package-private; its Main wraps the store the same way
    Method wrap =
        Class.forName("org.gaul.s3proxy.ReadOnlyBlobStore")
            .getDeclaredMethod("newReadOnlyBlobStore", BlobStore.class);
    wrap.setAccessible(true);
    return start(
        context, (BlobStore) wrap.invoke(null, context.getBlobStore()), accessKey, secretKey);
  }

  private static BlobStoreContext context() {
    return ContextBuilder.newBuilder("transient")
        .credentials("identity", "credential")
        .overrides(new Properties())
        .build(BlobStoreContext.class);
  }

  private static S3Proxies start(
      BlobStoreContext context, BlobStore blobStore, String accessKey, String secretKey)
      throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .build();
    proxy.start();
    // start() returns before Jetty listens; it says when it does
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
    return new S3Proxies(
        proxy,
        context,
        new S3Store(URI.create("http://127.0.0.1:" + proxy.getPort()), accessKey, secretKey));
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
