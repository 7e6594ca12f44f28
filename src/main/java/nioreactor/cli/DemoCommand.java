package nioreactor.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import nioreactor.demo.Demo;
import nioreactor.demo.Demos;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code demo NAME}: runs one of the seed tutorial's experiments for real and explains the result. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Runs an experiment of the seed tutorial on loopback sockets and explains what happened.",
            "`demo --list` names them; `demo all` runs every one."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--list", description = "List the demos.")
    boolean list;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "The demo to run (see --list), or `all`.")
    String name;

    private final Terminal terminal;

    DemoCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        if (list) {
            printList();
            return 0;
        }
        if (name == null) {
            terminal.err().println("demo: name a demo to run:");
            printList();
            return 2;
        }
        List<Demo> chosen = new ArrayList<>();
        if (name.equals("all")) {
            chosen.addAll(Demos.ALL);
        } else {
            Optional<Demo> demo = Demos.named(name);
            if (demo.isEmpty()) {
                terminal.err().println("demo: no demo named '" + name + "'; `demo --list` shows them");
                return 2;
            }
            chosen.add(demo.get());
        }
        for (Demo demo : chosen) {
            terminal.out().println("=== demo " + demo.name() + ": " + demo.summary());
            terminal.out().println();
            try {
                demo.run(terminal.out());
            } catch (Exception e) {
                terminal.out().flush();
                terminal.err().println("demo " + demo.name() + " failed: " + e);
                return 1;
            }
            terminal.out().println();
        }
        terminal.out().flush();
        return 0;
    }

    private void printList() {
        for (Demo d : Demos.ALL) {
            terminal.out().printf("  %-16s %s%n", d.name(), d.summary());
        }
        terminal.out().flush();
    }
}
