package io.pgconn.operator.app;

import io.micronaut.configuration.picocli.PicocliRunner;
import io.micronaut.runtime.Micronaut;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The pgconn command. "pgconn run" (or no arguments) runs the operator with its health and metrics
 * endpoints; the other subcommands are tools that never touch a cluster.
 */
@Command(
    name = "pgconn",
    mixinStandardHelpOptions = true,
    description = "PostgreSQL connection policies for Kubernetes.",
    subcommands = {UrlCommand.class, DoctorCommand.class})
public class PgconnCommand implements Runnable {

  public static void main(String[] args) {
    if (args.length == 0 || "run".equals(args[0])) {
      String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
      Micronaut.build(rest).mainClass(PgconnCommand.class).start();
      return;
    }
    System.exit(PicocliRunner.execute(PgconnCommand.class, args));
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
