package nioreactor.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the jar manifest's version, and the JDK it runs on (which matters for benchmarks). */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {
            "nioreactor " + (v == null ? "(development build)" : v),
            "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
