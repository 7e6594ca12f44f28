package nioreactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nioreactor.client.CommandRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What every command shares: how a wrong command line is reported, the top-level help, option help, --version. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MainTest {

    /**
     * A wrong command line, whatever the command, is one line saying what is wrong and one naming the help: no
     * usage dump, no exception class names; exit 2. '|' separates the arguments.
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "serve|--zone|Mars/Olympus;       serve: --zone: unknown time zone 'Mars/Olympus' (e.g. Europe/Berlin, UTC)",
        "serve|--max-frame|lots;          serve: --max-frame: 'lots' is not a size (e.g. 65536, 64KiB, 1MiB)",
        "serve|--idle-timeout|soon;       serve: --idle-timeout: 'soon' is not a duration (e.g. 50us, 500ms, 30s, 2m, off)",
        "serve|--select-strategy|warp;    serve: --select-strategy: 'warp' is not a select strategy (block, spin or backoff)",
        "serve|--tcp|abc;                 serve: --tcp: 'abc' is not an int",
        "serve|--tcpp|1;                  serve: unknown options: '--tcpp', '1' (did you mean --tcp?)",
        "client|--port|0;                 client: --port must be between 1 and 65535",
        "client|--timeout|-1s;            client: --timeout: '-1s' is not a duration (e.g. 50us, 500ms, 30s, 2m, off)",
        "time|--retries|-1;               time: --retries must be 0 or more",
        "stats;                           stats: missing required option: '--port=PORT'",
        "compare|--conns|many;            compare: --conns: 'many' is not an int",
        "demo|sticky|extra;               demo: unexpected argument 'extra'",
        "bogus;                           nioreactor: unknown command 'bogus'",
        "help|bogus;                      nioreactor: unknown subcommand 'bogus'",
    })
    void aWrongCommandLineIsOneLineAndAPointerToTheHelp(String args, String message) {
        String[] argv = args.split("\\|");
        CommandRun run = CommandRun.of("", argv);
        String command = argv[0].equals("bogus") || argv[0].equals("help") ? "nioreactor" : "nioreactor " + argv[0];
        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).as(run.toString()).isEqualTo(message + "\ntry '" + command + " --help'\n");
        assertThat(run.out()).isEmpty();
    }

    /** Picocli lists each command with the first line of its description: that line must be whole. */
    @Test
    void theTopLevelHelpListsEveryCommandWithACompleteLine() {
        CommandRun run = CommandRun.of("", "--help");
        assertThat(run.status()).isZero();
        Map<String, String> listed = commandList(run.out());
        assertThat(listed.keySet()).containsExactlyElementsOf(commands().getSubcommands().keySet());
        listed.forEach((name, line) -> assertThat(line).as("the line listing %s", name).endsWith("."));
        assertThat(listed.get("compare")).isEqualTo(
                "Load-tests nioreactor and a blocking thread-per-connection server side by side.");
    }

    private static CommandLine commands() {
        return Main.commandLine(Terminal.system());
    }

    /** The "Commands:" section: each command's name and its text, continuation lines joined. */
    private static Map<String, String> commandList(String help) {
        Map<String, String> commands = new LinkedHashMap<>();
        List<String> lines = help.lines().toList();
        String current = null;
        for (String line : lines.subList(lines.indexOf("Commands:") + 1, lines.size())) {
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                String[] nameAndText = line.strip().split("\\s+", 2);
                current = nameAndText[0];
                commands.put(current, nameAndText[1]);
            } else if (current != null && line.startsWith("   ")) {
                commands.put(current, commands.get(current) + " " + line.strip());
            }
        }
        return commands;
    }

    /** {@code --idle-timeout 5} is five seconds: every duration option's help says so. */
    @Test
    void everyDurationOptionSaysABareNumberIsSeconds() {
        List<String> durationOptions = new ArrayList<>();
        for (CommandLine command : commands().getSubcommands().values()) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.typeInfo().getType() == Duration.class) {
                    durationOptions.add(command.getCommandName() + " " + option.longestName());
                    assertThat(String.join(" ", option.description()))
                            .as("%s %s", command.getCommandName(), option.longestName())
                            .contains("A number without a unit is seconds.");
                }
            }
        }
        assertThat(durationOptions).contains("serve --idle-timeout", "client --timeout", "time --timeout",
                "stats --timeout");
    }

    @Test
    void aNumberWithoutUnitIsSeconds() {
        assertThat(new Converters.DurationConverter().convert("5")).isEqualTo(Duration.ofSeconds(5));
    }

    /** Every command but {@code help} (which takes a command name, not options) prints the version. */
    @Test
    void everyCommandButHelpPrintsTheVersion() {
        for (String command : commands().getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue;
            }
            CommandRun run = CommandRun.of("", command, "--version");
            assertThat(run.status()).as(command).isZero();
            assertThat(run.out()).as(command).startsWith("nioreactor ").contains("JDK ");
        }
    }
}
