package io.kfboot.bootstrap.ssh;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.UserInfo;
import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.host.KnownHostsFile;
import io.kfboot.bootstrap.host.PrivateFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A host over SSH, through JSch. Host keys are checked against known_hosts: an unknown key is
 * refused unless {@link SshTarget#acceptNewHostKeys()} (then recorded, and said loudly), a changed
 * key always. Commands run through the login shell as their POSIX-quoted line, root ones through
 * {@code sudo -n}. Files go by SFTP to a private temp file, then into place with {@code install}
 * and {@code mv}, never through an echo.
 */
public final class SshHostOperator implements HostOperator {
  private final SshTarget target;
  private final Consumer<String> warnings;
  private Session session;

  public SshHostOperator(SshTarget target, Consumer<String> warnings) {
    this.target = target;
    this.warnings = warnings;
  }

  @Override
  public String name() {
    return target.name();
  }

  private synchronized Session session() {
    if (session != null && session.isConnected()) {
      return session;
    }
    try {
      JSch jsch = new JSch();
      // a missing known_hosts is an empty one; it is made only when a key is recorded
      if (Files.exists(target.knownHosts())) {
        jsch.setKnownHosts(target.knownHosts().toString());
      }
      AcceptNewRepository repository = new AcceptNewRepository(jsch.getHostKeyRepository());
      jsch.setHostKeyRepository(repository);
      if (target.identity() != null) {
        // the key from the environment never touches the disk
        jsch.addIdentity("kfboot-key-from-environment", target.identity().pem(), null, null);
      } else if (target.identityFile() != null) {
        if (Files.isDirectory(target.identityFile())) {
          throw new HostException(
              name(),
              "key file " + target.identityFile() + " is a directory",
              "point the inventory's key at the private key file inside it (e.g. "
                  + target.identityFile().resolve("id_ed25519")
                  + ")",
              false);
        }
        if (!Files.isReadable(target.identityFile())) {
          throw new HostException(
              name(),
              "cannot read key file " + target.identityFile(),
              "check the inventory's key path and its permissions",
              false);
        }
        jsch.addIdentity(target.identityFile().toString());
      } else if (target.agentSocket() != null) {
        jsch.setIdentityRepository(
            new AgentIdentityRepository(new SSHAgentConnector(target.agentSocket())));
      } else {
        throw new HostException(
            name(),
            "no key file and no ssh-agent",
            "give the host a key in the inventory, or start ssh-agent (SSH_AUTH_SOCK)",
            false);
      }
      Session s = jsch.getSession(target.user(), target.address(), target.port());
      s.setConfig("StrictHostKeyChecking", "yes");
      s.setConfig("PreferredAuthentications", "publickey");
      s.setServerAliveInterval((int) target.keepAlive().toMillis());
      s.setServerAliveCountMax(3);
      s.setUserInfo(new NoPrompts());
      s.connect((int) target.connectTimeout().toMillis());
      // recorded only now that the host let us in: a run that fails changes no file
      repository.recordAccepted();
      session = s;
      return s;
    } catch (JSchException e) {
      throw classify(e, "connecting to " + target.user() + "@" + target.knownHostsName());
    } catch (AgentProxyException e) {
      throw new HostException(
          name(),
          "cannot use the ssh-agent at " + target.agentSocket() + ": " + e.getMessage(),
          "check SSH_AUTH_SOCK, or give a key file",
          false,
          e);
    }
  }

  private HostException classify(JSchException e, String what) {
    String m = String.valueOf(e.getMessage());
    String lower = m.toLowerCase(Locale.ROOT);
    Throwable cause = e.getCause();
    if (cause instanceof UnknownHostException) {
      return new HostException(
          name(),
          what + ": the address " + target.address() + " does not resolve",
          "correct the host's address in the inventory (an IP address or a name this machine"
              + " resolves)",
          false,
          e);
    }
    if (cause instanceof ConnectException || lower.contains("connection refused")) {
      return new HostException(
          name(),
          what + ": connection refused on port " + target.port(),
          "start sshd on "
              + target.address()
              + " (systemctl start ssh), or set the host's port in the inventory to the one it"
              + " listens on",
          true,
          e);
    }
    if (cause instanceof NoRouteToHostException || lower.contains("no route to host")) {
      return new HostException(
          name(),
          what + ": no route to host " + target.address(),
          "check the address, that the host is up, and that no firewall between here and it drops"
              + " port "
              + target.port(),
          true,
          e);
    }
    if (cause instanceof SocketTimeoutException
        || lower.contains("timed out")
        || lower.contains("timeout")) {
      return new HostException(
          name(),
          what + ": no answer within " + target.connectTimeout().toSeconds() + "s",
          "check that "
              + target.address()
              + " is up and that port "
              + target.port()
              + " is open to this machine",
          true,
          e);
    }
    if (lower.contains("invalid privatekey")) {
      return new HostException(
          name(),
          what
              + ": the private key "
              + (target.identity() != null ? "from the environment" : target.identityFile())
              + " cannot be read as one",
          "give an OpenSSH, PEM or PuTTY private key file (not the .pub), without a passphrase",
          false,
          e);
    }
    if (lower.contains("hostkey has been changed") || lower.contains("changed")) {
      return new HostException(
          name(),
          what + ": the host key CHANGED since it was recorded in " + target.knownHosts(),
          "if the host was reinstalled, remove its old key with 'ssh-keygen -R "
              + target.knownHostsName()
              + "'; otherwise someone may be intercepting the connection",
          false,
          e);
    }
    if (lower.contains("reject hostkey") || lower.contains("unknownhostkey")) {
      return new HostException(
          name(),
          what + ": its host key is not in " + target.knownHosts(),
          "check the key and add it (ssh-keyscan -p "
              + target.port()
              + " "
              + target.address()
              + " >> "
              + target.knownHosts()
              + "), or pass --accept-new-host-keys",
          false,
          e);
    }
    if (lower.contains("auth fail") || lower.contains("auth cancel")) {
      return new HostException(
          name(),
          what + ": authentication failed for user " + target.user(),
          "check the user and that its authorized_keys holds the inventory's key",
          false,
          e);
    }
    return new HostException(
        name(),
        what + ": " + m,
        "check that the host is up and sshd listens on port " + target.port(),
        true,
        e);
  }

  @Override
  public ExecResult exec(Command command, Duration timeout) {
    long start = System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Command c = needsSudo() ? command : unwrapSudo(command);
    int exit = run(c, timeout, out, err);
    return new ExecResult(
        exit,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** Runs the command with its standard output streamed to {@code sink}; the exit code. */
  private int run(Command c, Duration timeout, OutputStream sink, ByteArrayOutputStream err) {
    ChannelExec channel = null;
    try {
      channel = (ChannelExec) session().openChannel("exec");
      channel.setCommand(c.shellLine());
      byte[] stdin = c.stdin();
      channel.setInputStream(
          stdin == null ? new ByteArrayInputStream(new byte[0]) : new ByteArrayInputStream(stdin));
      channel.setErrStream(err);
      // the session's thread writes straight into the sink: through JSch's 32 KiB pipe a large
      // file crawls, as a full java.io.PipedInputStream wakes its writer only once a second
      SinkFailure out = new SinkFailure(sink);
      channel.setOutputStream(out, true);
      channel.connect((int) target.connectTimeout().toMillis());
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!channel.isClosed()) {
        if (!session.isConnected()) {
          throw new HostException(
              name(),
              "the connection dropped while running " + c.redacted(),
              "check the host and rerun: steps are idempotent",
              true);
        }
        if (System.nanoTime() > deadline) {
          throw new HostException(
              name(),
              c.redacted() + " did not finish within " + timeout.toSeconds() + "s",
              "raise the command timeout, or look at what the command waits for on " + name(),
              false);
        }
        Thread.sleep(10);
      }
      if (out.failure != null) {
        throw out.failure;
      }
      int exit = channel.getExitStatus();
      if (exit < 0) {
        throw new HostException(
            name(),
            "the connection dropped while running " + c.redacted(),
            "check the host and rerun: steps are idempotent",
            true);
      }
      return exit;
    } catch (JSchException e) {
      throw classify(e, "running " + c.redacted());
    } catch (IOException e) {
      throw new HostException(
          name(),
          "the connection broke while running " + c.redacted() + ": " + e.getMessage(),
          "check the host and rerun",
          true,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostException(name(), "interrupted while running " + c.redacted(), "", false);
    } finally {
      if (channel != null) {
        channel.disconnect();
      }
    }
  }

  private boolean needsSudo() {
    return !"root".equals(target.user());
  }

  private static Command unwrapSudo(Command c) {
    if (c.argv().size() > 3 && c.argv().subList(0, 3).equals(List.of("sudo", "-n", "--"))) {
      Command inner = Command.of(c.argv().subList(3, c.argv().size()));
      for (String s : c.secrets()) {
        inner = inner.redacting(s);
      }
      byte[] stdin = c.stdin();
      return stdin == null
          ? inner
          : inner.withSecretStdin(new String(stdin, StandardCharsets.UTF_8));
    }
    return c;
  }

  @Override
  public void upload(byte[] content, String path, int mode, String owner) {
    upload(() -> new ByteArrayInputStream(content), path, mode, owner);
  }

  @Override
  public void upload(Path local, String path, int mode, String owner) {
    upload(() -> Files.newInputStream(local), path, mode, owner);
  }

  private interface Content {
    InputStream open() throws IOException;
  }

  private void upload(Content content, String path, int mode, String owner) {
    String tmp = "/tmp/.kfboot-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    ChannelSftp sftp = null;
    try {
      sftp = (ChannelSftp) session().openChannel("sftp");
      sftp.connect((int) target.connectTimeout().toMillis());
      sftp.put(new ByteArrayInputStream(new byte[0]), tmp);
      sftp.chmod(0600, tmp); // private before a byte of content arrives
      try (InputStream in = content.open()) {
        sftp.put(in, tmp, ChannelSftp.OVERWRITE);
      }
    } catch (IOException e) {
      throw new HostException(
          name(),
          "cannot read what to upload to " + path + ": " + e.getMessage(),
          "check the local file",
          false,
          e);
    } catch (JSchException e) {
      throw classify(e, "uploading " + path);
    } catch (SftpException e) {
      throw new HostException(
          name(),
          "SFTP upload of " + path + " failed: " + e.getMessage(),
          "check that sshd offers the sftp subsystem and /tmp is writable",
          false,
          e);
    } finally {
      if (sftp != null) {
        sftp.disconnect();
      }
    }
    exec(Command.shell(placeScript(tmp, path, mode, owner)).sudo(), Duration.ofMinutes(1))
        .requireOk(name(), "putting " + path + " in place");
  }

  /**
   * Moves an uploaded temp file into place as root: {@code install} sets mode and owner on a copy
   * beside the target, {@code mv} makes it appear at once.
   */
  public static String placeScript(String tmp, String path, int mode, String owner) {
    String next = path + ".kfboot-new";
    return "set -e; mkdir -p \"$(dirname "
        + Command.quote(path)
        + ")\"; install -m "
        + String.format("%04o", mode)
        + (owner == null
            ? ""
            : " -o "
                + Command.quote(owner.split(":")[0])
                + (owner.contains(":") ? " -g " + Command.quote(owner.split(":", 2)[1]) : ""))
        + " "
        + Command.quote(tmp)
        + " "
        + Command.quote(next)
        + "; mv -f "
        + Command.quote(next)
        + " "
        + Command.quote(path)
        + "; rm -f "
        + Command.quote(tmp);
  }

  @Override
  public byte[] read(String path) {
    // bytes as they are: a key or snapshot is not UTF-8 text
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = run(cat(path), Duration.ofMinutes(1), out, err);
    new ExecResult(exit, "", err.toString(StandardCharsets.UTF_8), Duration.ZERO)
        .requireOk(name(), "reading " + path);
    return out.toByteArray();
  }

  @Override
  public long download(String path, Path local, Duration timeout) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int[] exit = {0};
    try {
      long size =
          PrivateFiles.write(
              local,
              out -> {
                exit[0] = run(cat(path), timeout, out, err);
                if (exit[0] != 0) {
                  throw new IOException("cat exited " + exit[0]);
                }
              });
      return size;
    } catch (IOException e) {
      if (exit[0] != 0) {
        new ExecResult(exit[0], "", err.toString(StandardCharsets.UTF_8), Duration.ZERO)
            .requireOk(name(), "reading " + path);
      }
      throw new HostException(
          name(),
          "cannot write " + local + ": " + e.getMessage(),
          "give a folder this user may write, with room for " + path,
          false,
          e);
    }
  }

  private Command cat(String path) {
    Command c = Command.of("cat", "--", path).sudo();
    return needsSudo() ? c : unwrapSudo(c);
  }

  @Override
  public synchronized void close() {
    if (session != null) {
      session.disconnect();
      session = null;
    }
  }

  /** known_hosts, plus recording unknown keys when asked to; a changed key stays CHANGED. */
  private final class AcceptNewRepository implements HostKeyRepository {
    private final HostKeyRepository known;

    AcceptNewRepository(HostKeyRepository known) {
      this.known = known;
    }

    @Override
    public int check(String host, byte[] key) {
      int r = known.check(host, key);
      if (r == NOT_INCLUDED && target.acceptNewHostKeys()) {
        try {
          accepted.add(new HostKey(host, key));
          return OK;
        } catch (JSchException e) {
          return NOT_INCLUDED;
        }
      }
      return r;
    }

    private final List<HostKey> accepted = new ArrayList<>();

    /** Writes the keys accepted during this connection, now that it succeeded. */
    void recordAccepted() {
      for (HostKey hk : accepted) {
        try {
          KnownHostsFile.append(
              target.knownHosts(), hk.getHost() + " " + hk.getType() + " " + hk.getKey());
          warnings.accept(
              "WARNING: "
                  + name()
                  + ": accepted the unknown host key of "
                  + hk.getHost()
                  + " ("
                  + hk.getFingerPrint(new JSch())
                  + ") and recorded it in "
                  + target.knownHosts()
                  + " because of --accept-new-host-keys");
        } catch (IOException e) {
          throw new HostException(
              name(),
              "cannot record its host key in " + target.knownHosts() + ": " + e.getMessage(),
              "check that the file and its folder are writable",
              false,
              e);
        }
      }
      accepted.clear();
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
      known.add(hostkey, ui);
    }

    @Override
    public void remove(String host, String type) {
      known.remove(host, type);
    }

    @Override
    public void remove(String host, String type, byte[] key) {
      known.remove(host, type, key);
    }

    @Override
    public String getKnownHostsRepositoryID() {
      return known.getKnownHostsRepositoryID();
    }

    @Override
    public HostKey[] getHostKey() {
      return known.getHostKey();
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
      return known.getHostKey(host, type);
    }
  }

  /** Never prompts: a question from JSch is answered no. */
  private static final class NoPrompts implements UserInfo {
    @Override
    public String getPassphrase() {
      return null;
    }

    @Override
    public String getPassword() {
      return null;
    }

    @Override
    public boolean promptPassword(String message) {
      return false;
    }

    @Override
    public boolean promptPassphrase(String message) {
      return false;
    }

    @Override
    public boolean promptYesNo(String message) {
      return false;
    }

    @Override
    public void showMessage(String message) {}
  }

  /**
   * The sink as the session's thread sees it: a write that fails is kept for the caller and what
   * follows is dropped, so that a full disk fails the command, not the session.
   */
  private static final class SinkFailure extends OutputStream {
    private final OutputStream sink;
    private volatile IOException failure;

    SinkFailure(OutputStream sink) {
      this.sink = sink;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (failure != null) {
        return;
      }
      try {
        sink.write(b, off, len);
      } catch (IOException e) {
        failure = e;
      }
    }
  }
}
