package io.pgconn.operator.url;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough of the server side of the protocol to see what libpq sends: declines TLS/GSS, records
 * the startup parameters, asks for a cleartext password, records it, then refuses the login. Not a
 * database: it proves how libpq parsed a connection string, nothing more.
 */
final class FakePostgresServer implements AutoCloseable {

  record Login(Map<String, String> startup, String password) {}

  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;
  private static final int PROTOCOL_3 = 196608;

  private final ServerSocket server;

  FakePostgresServer() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    server.setSoTimeout(15_000);
  }

  int port() {
    return server.getLocalPort();
  }

  /** Waits for one client and returns what it sent. */
  Login accept() throws IOException {
    try (Socket s = server.accept()) {
      s.setSoTimeout(15_000);
      return converse(s.getInputStream(), s.getOutputStream());
    }
  }

  static Login converse(InputStream rawIn, OutputStream rawOut) throws IOException {
    DataInputStream in = new DataInputStream(rawIn);
    DataOutputStream out = new DataOutputStream(rawOut);
    while (true) {
      int length = in.readInt();
      int code = in.readInt();
      if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
        out.writeByte('N');
        out.flush();
        continue;
      }
      if (code != PROTOCOL_3) {
        throw new IOException("unexpected startup code " + code);
      }
      byte[] body = new byte[length - 8];
      in.readFully(body);
      Map<String, String> startup = new LinkedHashMap<>();
      String[] parts = new String(body, StandardCharsets.UTF_8).split("\0");
      for (int i = 0; i + 1 < parts.length; i += 2) {
        startup.put(parts[i], parts[i + 1]);
      }
      out.writeByte('R');
      out.writeInt(8);
      out.writeInt(3); // AuthenticationCleartextPassword
      out.flush();
      String password = null;
      try {
        int type = in.readByte();
        if (type == 'p') {
          byte[] pw = new byte[in.readInt() - 4];
          in.readFully(pw);
          password = new String(pw, 0, pw.length - 1, StandardCharsets.UTF_8);
        }
      } catch (EOFException clientGaveUp) {
        // libpq closes without a password message when it has none.
      }
      refuse(out);
      return new Login(startup, password);
    }
  }

  private static void refuse(DataOutputStream out) {
    try {
      ByteArrayOutputStream fields = new ByteArrayOutputStream();
      for (String f : new String[] {"SFATAL", "VFATAL", "C28P01", "Mjudge: login refused"}) {
        fields.writeBytes(f.getBytes(StandardCharsets.UTF_8));
        fields.write(0);
      }
      fields.write(0);
      out.writeByte('E');
      out.writeInt(fields.size() + 4);
      out.write(fields.toByteArray());
      out.flush();
    } catch (IOException alreadyGone) {
      // The client may have hung up first; what it sent is already recorded.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
