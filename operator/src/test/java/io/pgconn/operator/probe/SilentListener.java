package io.pgconn.operator.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server on 127.0.0.1 that accepts every connection and never sends a byte: the worst server
 * a probe can meet (a black-holing proxy, a hung PostgreSQL), since the TCP connect succeeds and
 * only the login timeout ends the wait.
 */
public final class SilentListener implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  public SilentListener() {
    try {
      server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor = new Thread(this::acceptForever, "silent-listener-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far (each one held open, unanswered). */
  public int accepted() {
    return held.size();
  }

  private void acceptForever() {
    while (!server.isClosed()) {
      try {
        held.add(server.accept());
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
      for (Socket s : held) {
        s.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
