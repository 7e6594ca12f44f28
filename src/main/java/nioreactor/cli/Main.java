package nioreactor.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

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
        return commandLine(terminal).execute(args);
    }

    /** Every command, talking through {@code terminal}, set up as {@code main} runs them. */
    static CommandLine commandLine(Terminal terminal) {
        CommandLine cli = new CommandLine(new Main(), new TerminalFactory(terminal));
        cli.setOut(new PrintWriter(terminal.out(), true));
        cli.setErr(new PrintWriter(terminal.err(), true));
        cli.setParameterExceptionHandler(Main::badCommandLine);
        return cli;
    }

    /**
     * Any mistake on the command line (an unknown option, a value that does not convert, a missing option, or a check
     * a command makes itself by throwing {@link ParameterException}): one line that says what is wrong, one that
     * says where help is, exit 2. Picocli's default appends the whole usage (60 lines for serve), which buries the
     * one line that matters, and shows converters' exception class names.
     */
    static int badCommandLine(ParameterException e, String[] args) {
        CommandLine where = e.getCommandLine();
        PrintWriter err = where.getErr();
        err.println(where.getCommandName() + ": " + describe(e));
        err.println("try '" + where.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return where.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String describe(ParameterException e) {
        ArgSpec arg = e.getArgSpec();
        if (e.getCause() instanceof TypeConversionException bad && arg != null) {
            // Our converters' messages are whole sentences ("'lots' is not a size (e.g. ...)"): name the option.
            String name = arg instanceof OptionSpec option ? option.longestName() : arg.paramLabel();
            return name + ": " + bad.getMessage();
        }
        String message = lowerCaseFirst(e.getMessage().strip());
        if (message.endsWith(".")) {
            message = message.substring(0, message.length() - 1);
        }
        if (e instanceof UnmatchedArgumentException unmatched) {
            List<String> words = unmatched.getUnmatched();
            if (!words.isEmpty() && words.stream().noneMatch(w -> w.startsWith("-"))) {
                // Picocli says "Unmatched argument at index 0: 'bogus'"; what the user did is name a command or
                // give an argument that does not exist.
                String quoted = "'" + String.join("', '", words) + "'";
                message = e.getCommandLine().getSubcommands().isEmpty()
                        ? (words.size() == 1 ? "unexpected argument " : "unexpected arguments ") + quoted
                        : "unknown command " + quoted;
            }
            if (!unmatched.getSuggestions().isEmpty()) {
                message += " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)";
            }
        }
        return message;
    }

    /** Picocli's "Unknown option: '--x'" reads as "unknown option: '--x'" after "serve: ", like the other messages. */
    private static String lowerCaseFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
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
