package nioreactor.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/embedding.md cannot rot: its first {@code java} block, the complete example, is compiled against the thin
 * library jar ({@code target/nioreactor-<version>.jar}, what {@code mvn install} installs) plus slf4j-api and nothing
 * else, run as a child JVM, and talked to over TCP; every later block that declares a class is compiled the same way.
 * An integration test (failsafe, after {@code package}) because it needs the packaged jar.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddingDocIT {
    private static final Path DOC = Path.of("docs/embedding.md");
    private static final int MAX_EXAMPLE_LINES = 40;
    /** A fenced block, possibly indented (inside a list item): its opening fence, its body, its closing fence. */
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^( *)```java\\n(.*?)^\\1```$", Pattern.DOTALL);
    private static final Pattern TOP_LEVEL_TYPE =
            Pattern.compile("(?m)^(?:public )?(?:final )?(?:class|interface|record|enum) (\\w+)");

    private static List<String> blocks;
    private static String classpath;

    @TempDir
    Path work;

    @BeforeAll
    static void readTheDocAndFindTheJars() throws IOException {
        blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(Files.readString(DOC));
        while (m.find()) {
            String indent = m.group(1);
            blocks.add(m.group(2).replaceAll("(?m)^" + indent, ""));
        }
        assertThat(blocks).as("```java blocks in " + DOC).isNotEmpty();

        Path library = Path.of(System.getProperty("nioreactor.libraryJar"));
        Path slf4jApi = Path.of(System.getProperty("nioreactor.slf4jApiJar"));
        assertThat(library).as("the thin library jar (run after package)").isRegularFile();
        assertThat(slf4jApi).as("slf4j-api in the local repository").isRegularFile();
        assertThat(entries(library))
                .as("the library jar bundles no dependency (the shaded application jar is target/nioreactor.jar)")
                .noneMatch(e -> e.startsWith("picocli/") || e.startsWith("org/slf4j/") || e.startsWith("org/HdrHistogram/"))
                .contains("nioreactor/reactor/Reactor.class");
        classpath = library + File.pathSeparator + slf4jApi;
    }

    @Test
    void theFirstBlockIsACompleteProgramOfAtMostFortyLines() {
        String example = blocks.get(0);
        assertThat(example.lines().count()).as("lines in the first example").isLessThanOrEqualTo(MAX_EXAMPLE_LINES);
        assertThat(example).contains("public static void main(String[] args)").contains("args[0]")
                .doesNotContain("package ");
    }

    @Test
    void theFirstExampleServesUpperCasedLines() throws Exception {
        String example = blocks.get(0);
        Path classes = compile(example);
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-ea", "-cp", classes + File.pathSeparator + classpath,
                typeName(example), Integer.toString(port))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            try (Socket a = connectWithin(port, 10_000, child, out, err);
                 Socket b = new Socket("127.0.0.1", port)) {
                BufferedReader fromA = reader(a);
                BufferedReader fromB = reader(b);

                write(a, "hello\n");
                assertThat(fromA.readLine()).isEqualTo("HELLO");

                write(a, "spl"); // one line in two writes
                pause();
                write(a, "it\n");
                assertThat(fromA.readLine()).isEqualTo("SPLIT");

                write(a, "one\ntwo\nthree\n"); // three lines in one write: sticky packets
                assertThat(fromA.readLine()).isEqualTo("ONE");
                assertThat(fromA.readLine()).isEqualTo("TWO");
                assertThat(fromA.readLine()).isEqualTo("THREE");

                byte[] strasse = "straße\n".getBytes(StandardCharsets.UTF_8); // ß is two bytes: split between them
                int cut = "stra".length() + 1;
                write(a, strasse, 0, cut);
                pause();
                write(a, strasse, cut, strasse.length - cut);
                assertThat(fromA.readLine()).isEqualTo("straße".toUpperCase(Locale.ROOT)).isEqualTo("STRASSE");

                write(b, "sec"); // two connections' half-lines interleaved: each keeps its own
                pause();
                write(a, "first\n");
                assertThat(fromA.readLine()).isEqualTo("FIRST");
                write(b, "ond\n");
                assertThat(fromB.readLine()).isEqualTo("SECOND");
            }

            try (Socket c = new Socket("127.0.0.1", port)) {
                c.setSoTimeout(10_000);
                write(c, "ok\n" + "x".repeat(20_000)); // then a line longer than the example accepts
                BufferedReader fromC = reader(c);
                assertThat(fromC.readLine()).isEqualTo("OK");
                assertThat(readUntilClosed(fromC)).as("the overlong line closes the connection").isTrue();
            }

            assertThat(child.isAlive()).as("the example still runs; stderr: %s", Files.readString(err)).isTrue();
            assertThat(Files.readString(out)).contains(Integer.toString(port));
            assertThat(Files.readString(err))
                    .as("slf4j-api without a backend warns once, as docs/embedding.md says")
                    .contains("No SLF4J providers were found.");
        } finally {
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void everyLaterBlockThatDeclaresAClassCompilesAgainstTheLibraryAlone() throws Exception {
        List<String> compiled = new ArrayList<>();
        for (String block : blocks.subList(1, blocks.size())) {
            if (TOP_LEVEL_TYPE.matcher(block).find()) {
                compile(block);
                compiled.add(typeName(block));
            }
        }
        assertThat(compiled).as("complete classes among the later examples").isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void theExamplesUseOnlyTheApiPackage() {
        // The library jar also carries the application's classes (cli, server, demos): compiling cannot tell them apart.
        Pattern outsideTheApi = Pattern.compile("\\bnioreactor\\.(?!reactor\\.[A-Z])");
        for (String block : blocks) {
            assertThat(block).as("a name from nioreactor outside its API").doesNotContainPattern(outsideTheApi);
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Compiles one block as its own source file; fails with javac's messages and the source if it does not. */
    private Path compile(String source) throws IOException {
        String name = typeName(source);
        Path dir = Files.createDirectories(work.resolve("src-" + name));
        Path file = Files.writeString(dir.resolve(name + ".java"), source);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler").isNotNull();
        StringWriter messages = new StringWriter();
        var files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        boolean ok = javac.getTask(messages, files, null,
                List.of("-classpath", classpath, "-d", classes.toString(), "--release", "17", "-proc:none",
                        "-Xlint:all", "-Werror", "-encoding", "UTF-8"),
                null, files.getJavaFileObjects(file)).call();
        files.close();
        if (!ok) {
            fail("docs/embedding.md's " + name + " does not compile against the library jar and slf4j-api:\n"
                    + messages + "\n" + source);
        }
        return classes;
    }

    private static String typeName(String source) {
        Matcher m = TOP_LEVEL_TYPE.matcher(source);
        assertThat(m.find()).as("a top-level type in:\n%s", source).isTrue();
        return m.group(1);
    }

    private static List<String> entries(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                names.add(e.nextElement().getName());
            }
        }
        return names;
    }

    private static Socket connectWithin(int port, long millis, Process child, Path out, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            if (!child.isAlive()) {
                fail("the example exited with " + child.exitValue() + "\nstdout: " + Files.readString(out)
                        + "\nstderr: " + Files.readString(err));
            }
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                s.setSoTimeout(10_000);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException notYet) {
                s.close();
                if (System.nanoTime() > deadline) {
                    fail("the example did not listen on " + port + " within " + millis + " ms\nstdout: "
                            + Files.readString(out) + "\nstderr: " + Files.readString(err));
                }
                Thread.sleep(100);
            }
        }
    }

    private static BufferedReader reader(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void write(Socket s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(s, bytes, 0, bytes.length);
    }

    private static void write(Socket s, byte[] bytes, int from, int length) throws IOException {
        OutputStream o = s.getOutputStream();
        o.write(bytes, from, length);
        o.flush();
    }

    /** Lets a write reach the server on its own, so the next one arrives in a later read. */
    private static void pause() throws InterruptedException {
        Thread.sleep(50);
    }

    /** True once the server has closed: end of stream, or a reset (it closed with our bytes unread). */
    private static boolean readUntilClosed(BufferedReader in) throws IOException {
        try {
            while (in.read() >= 0) {
                // the server sends nothing more; anything here would be a bug, and read() goes on to the end
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }
}
