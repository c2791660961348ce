package io.kfboot.components.auth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * How JNDI gets the TLS sockets of one check: it takes a socket factory only by class name ({@code
 * java.naming.ldap.factory.socket}) and calls its static {@code getDefault()} in the thread that
 * opens the context, so the check's trust is handed over per thread.
 */
public final class LdapSocketFactory extends SSLSocketFactory {
  private static final ThreadLocal<SSLSocketFactory> CURRENT = new ThreadLocal<>();

  private final SSLSocketFactory delegate;

  private LdapSocketFactory(SSLSocketFactory delegate) {
    this.delegate = delegate;
  }

  /** Called by JNDI. */
  public static SocketFactory getDefault() {
    SSLSocketFactory f = CURRENT.get();
    return new LdapSocketFactory(f != null ? f : (SSLSocketFactory) SSLSocketFactory.getDefault());
  }

  static void use(SSLSocketFactory factory) {
    CURRENT.set(factory);
  }

  static void clear() {
    CURRENT.remove();
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket() throws IOException {
    return delegate.createSocket();
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose)
      throws IOException {
    return delegate.createSocket(s, host, port, autoClose);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return delegate.createSocket(host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return delegate.createSocket(host, port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return delegate.createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return delegate.createSocket(address, port, localAddress, localPort);
  }
}
