package nioreactor.bench;

import java.util.Arrays;

/**
 * {@code java -jar nioreactor-bench.jar run [options]} runs the scenarios of {@code make bench};
 * {@code serve KIND} is one server under test in its own process (started by {@code run}).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("serve")) {
            System.exit(ServerProcess.serve(args[1]));
        }
        if (args.length >= 1 && args[0].equals("run")) {
            System.exit(ScenarioRunner.main(Arrays.copyOfRange(args, 1, args.length)));
        }
        System.err.println("usage: run [--seconds S] [--warmup S] [--conns 1,10,100,1000] [--idle N] ... | serve KIND");
        System.exit(2);
    }
}
