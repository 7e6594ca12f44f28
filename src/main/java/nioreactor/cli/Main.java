package nioreactor.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar nioreactor.jar COMMAND}: the entry point; each command is a class of its own in this package. */
@Command(name = "nioreactor",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "A Java NIO server on one hand-written Selector loop, with blocking clients to compare.",
        subcommands = {ServeCommand.class, ClientCommand.class, TimeCommand.class, CompareCommand.class, StatsCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(Terminal.system(), args));
    }

    /** Runs one command line against {@code terminal}'s streams and returns the exit status. */
    public static int run(Terminal terminal, String... args) {
        CommandLine cli = new CommandLine(new Main(), new TerminalFactory(terminal));
        cli.setOut(new PrintWriter(terminal.out(), true));
        cli.setErr(new PrintWriter(terminal.err(), true));
        return cli.execute(args);
    }

    /** Convenience for tests. */
    public static int run(InputStream in, PrintStream out, PrintStream err, String... args) {
        return run(new Terminal(in, out, err, false), args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Gives every command that wants one (a constructor taking a {@link Terminal}) the streams to use. */
    private record TerminalFactory(Terminal terminal) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(Terminal.class).newInstance(terminal);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
