package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real browser: {@code serve --metrics} from the packaged jar, in its own JVM with a small heap, and
 * Debian's headless Chromium driven by Selenium through {@code /usr/bin/chromedriver}. {@code make test-browser} runs
 * it (and installs Chromium when missing); a missing browser fails the test, it never skips.
 *
 * <p>It plays the send-vs-sendall scenario against the server (a 16 MiB reply queued for a client that reads late and
 * slowly, the way {@code demo send-vs-sendall} does) and checks that the page shows each step of it, in order; checks
 * that the event stream shows that connection's accept, writes and close; freezes a second page and checks that the
 * server stays bounded, the first page keeps updating and the frozen one is told what it missed.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DashboardBrowserIT {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final int SIZE = 16 * 1024 * 1024;
    private static final long HIGH_WATER = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Process server;
    private final List<String> serverLog = new ArrayList<>();
    private InetSocketAddress echo;
    private InetSocketAddress metrics;
    private final List<WebDriver> drivers = new ArrayList<>();
    private final List<Path> profiles = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        String jar = System.getProperty("nioreactor.appJar", "target/nioreactor.jar");
        assertThat(new File(jar)).as("the packaged jar (mvn package)").exists();
        assertThat(new File(CHROMIUM)).as("Debian's chromium (make test-browser installs it)").exists();
        assertThat(new File(CHROMEDRIVER)).as("Debian's chromium-driver (make test-browser installs it)").exists();
        server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", jar, "serve", "--tcp", "0", "--framed", "-1", "--udp", "-1", "--metrics", "0",
                "--high-water", "1MiB", "--low-water", "256KiB").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Pattern tcp = Pattern.compile("upper-echo listening on tcp 127\\.0\\.0\\.1:(\\d+)");
        Pattern http = Pattern.compile("metrics listening on http://127\\.0\\.0\\.1:(\\d+)/");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((echo == null || metrics == null) && System.nanoTime() < deadline) {
            String line = out.readLine();
            assertThat(line).as("serve ended early: " + serverLog).isNotNull();
            serverLog.add(line);
            Matcher m = tcp.matcher(line);
            if (m.find()) {
                echo = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
            m = http.matcher(line);
            if (m.find()) {
                metrics = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
        }
        assertThat(metrics).as("serve's listening lines: " + serverLog).isNotNull();
        Thread drain = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (serverLog) {
                        serverLog.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "serve-log");
        drain.setDaemon(true);
        drain.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (WebDriver d : drivers) {
            try {
                d.quit();
            } catch (RuntimeException e) {
                System.err.println("quitting chromedriver: " + e);
            }
        }
        if (server != null) {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        for (Path p : profiles) {
            deleteTree(p);
        }
    }

    private WebDriver browser() throws IOException {
        Path profile = Files.createTempDirectory("nioreactor-chromium-");
        profiles.add(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1500");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        drivers.add(driver);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        driver.get("http://127.0.0.1:" + metrics.getPort() + "/");
        // Everything the page adds to its event list, kept by the test: the page itself keeps only the last 600.
        ((JavascriptExecutor) driver).executeScript(
                "window.__seen = [];"
                + "new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {"
                + "  if (n.dataset) window.__seen.push({kind: n.dataset.kind || '', id: n.dataset.id || '',"
                + "    marker: n.classList.contains('marker'), text: n.textContent});"
                + "}))).observe(document.getElementById('events'), {childList: true});");
        return driver;
    }

    @Test
    void thePageShowsTheLoopMovingAndSurvivesAFrozenTab() throws Exception {
        WebDriver page = browser();
        awaitTrue("the page receives snapshots", () -> snapshots(page) >= 2);
        assertThat(page.findElement(By.id("status")).getText()).isEqualTo("live");
        assertThat(page.getTitle()).contains("nioreactor");
        assertNoConsoleErrors(page);

        // ---------------------------------------------------------------- send vs sendall, step by step
        List<String> seen = new ArrayList<>();
        long id;
        try (Socket client = Loopback.connect(echo, 64 * 1024)) {
            AtomicReference<Throwable> writeFailed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) 'a');
                    for (int sent = 0; sent < SIZE; sent += chunk.length) {
                        out.write(chunk); // blocks while the server, PAUSED, does not read us
                    }
                    out.flush();
                } catch (Throwable t) {
                    writeFailed.set(t);
                }
            }, "sendall-writer");
            writer.start();

            id = awaitRow(page, "upper-echo");
            seen.add("appeared");
            // Nothing is read yet: the echo's replies queue up past the high water mark.
            awaitTrue("#" + id + " PAUSED with W on and pending above the high mark: " + row(page, id), () -> {
                Map<String, String> r = row(page, id);
                return r != null && "PAUSED".equals(r.get("state")) && "true".equals(r.get("w"))
                        && Long.parseLong(r.get("pending")) > HIGH_WATER;
            });
            seen.add("paused");
            assertThat(row(page, id).get("r")).isEqualTo("false"); // reading stopped: the backpressure
            // The picture for the README: this connection's story so far, filtered by its id.
            page.findElement(By.id("filter-id")).sendKeys(String.valueOf(id));
            screenshot(page, "dashboard-paused.png");
            clearFilter(page);
            assertThat(seenEvents(page, id, "accept")).as("accept #" + id + " in the event stream").isNotEmpty();
            assertThat(seenEvents(page, id, "write")).as("write #" + id).isNotEmpty();
            assertThat(seenEvents(page, id, "OP_WRITE")).as("OP_WRITE on #" + id).isNotEmpty();

            // Now the slow reader: everything, with a pause after each MiB, as the demo does.
            InputStream in = client.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long total = 0;
            long nextPause = 1024 * 1024;
            while (total < SIZE) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, SIZE - total));
                assertThat(n).as("the echo ended early after " + total + " bytes").isPositive();
                total += n;
                if (total >= nextPause) {
                    Thread.sleep(2);
                    nextPause += 1024 * 1024;
                }
            }
            writer.join(30_000);
            assertThat(writeFailed.get()).isNull();
            awaitTrue("#" + id + " back to OPEN with W off: " + row(page, id), () -> {
                Map<String, String> r = row(page, id);
                return r != null && "OPEN".equals(r.get("state")) && "false".equals(r.get("w"))
                        && "0".equals(r.get("pending"));
            });
            seen.add("open");
        }
        awaitTrue("#" + id + "'s row gone after the close", () -> row(page, id) == null);
        seen.add("gone");
        assertThat(seen).containsExactly("appeared", "paused", "open", "gone");
        awaitTrue("close #" + id + " in the event stream", () -> !seenEvents(page, id, "close").isEmpty());
        assertThat(seenEvents(page, id, "paused")).as("reading paused #" + id).isNotEmpty();
        assertThat(seenEvents(page, id, "resumed")).as("reading resumed #" + id).isNotEmpty();
        // The event filter by connection id hides the others.
        page.findElement(By.id("filter-id")).sendKeys(String.valueOf(id));
        @SuppressWarnings("unchecked")
        List<String> shown = (List<String>) ((JavascriptExecutor) page).executeScript("return Array.from("
                + "document.querySelectorAll('#events li:not(.hidden):not(.marker)')).map(li => li.dataset.id);");
        assertThat(shown).isNotEmpty().allMatch(String.valueOf(id)::equals);
        clearFilter(page);
        assertNoConsoleErrors(page);

        // ---------------------------------------------------------------- a frozen tab
        WebDriver frozen = browser();
        awaitTrue("the second page receives snapshots", () -> snapshots(frozen) >= 1);
        long heapBefore = heapAfterGc();
        frozen.findElement(By.id("freeze")).click();
        assertThat(frozen.findElement(By.id("status")).getText()).isEqualTo("frozen");
        long pageOneBefore = snapshots(page);
        long maxPending = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        // Trace events (reads, writes, selects) until the server has dropped messages for the frozen tab.
        try (Socket load = Loopback.connect(echo)) {
            OutputStream out = load.getOutputStream();
            InputStream in = load.getInputStream();
            byte[] ping = "ping\n".getBytes(StandardCharsets.US_ASCII);
            while (metric("nioreactor_dashboard_events_dropped_total") == 0) {
                assertThat(System.nanoTime()).as("no message dropped for the frozen tab within 240 s").isLessThan(deadline);
                for (int i = 0; i < 2000; i++) {
                    out.write(ping);
                    in.readNBytes(ping.length);
                }
                maxPending = Math.max(maxPending, (long) metric("nioreactor_bytes_pending"));
            }
            // Keep it up a little longer: more is offered to the frozen tab, and nothing more is kept.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < until) {
                for (int i = 0; i < 500; i++) {
                    out.write(ping);
                    in.readNBytes(ping.length);
                }
                maxPending = Math.max(maxPending, (long) metric("nioreactor_bytes_pending"));
            }
        }
        double dropped = metric("nioreactor_dashboard_events_dropped_total");
        long heapAfter = heapAfterGc();
        System.out.printf("frozen tab: %.0f messages dropped, server bytes pending at most %d, heap after GC %d -> %d%n",
                dropped, maxPending, heapBefore, heapAfter);
        // The frozen tab's queue is bounded (256 KiB plus one message); the server holds nothing else for it.
        assertThat(maxPending).as("bytes pending on the server").isLessThanOrEqualTo(2 * (256 + 128) * 1024);
        assertThat(heapAfter - heapBefore).as("heap growth while a tab was frozen").isLessThan(16L * 1024 * 1024);
        awaitTrue("the first page keeps updating", () -> snapshots(page) > pageOneBefore + 4);
        assertThat(page.findElement(By.id("status")).getText()).isEqualTo("live");

        frozen.findElement(By.id("freeze")).click(); // unfreeze: it reads what was queued, then the marker
        awaitTrue("the dropped marker on the unfrozen page",
                () -> !frozen.findElements(By.cssSelector("#events li.marker.dropped")).isEmpty());
        String marker = frozen.findElement(By.cssSelector("#events li.marker.dropped")).getText();
        assertThat(marker).matches("(?s).*\\d+ events dropped.*");
        long frozenSnapshots = snapshots(frozen);
        awaitTrue("the unfrozen page resumes with snapshots", () -> snapshots(frozen) > frozenSnapshots + 1);
        assertNoConsoleErrors(frozen);
        assertNoConsoleErrors(page);
        screenshot(frozen, "dashboard-resumed.png");
        screenshot(page, "dashboard.png");
        assertThat(server.isAlive()).as("serve still running").isTrue();
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static void clearFilter(WebDriver page) {
        page.findElement(By.id("filter-id")).clear();
        ((JavascriptExecutor) page).executeScript("document.getElementById('filter-id')"
                + ".dispatchEvent(new Event('input'))");
    }

    private static long snapshots(WebDriver page) {
        return Long.parseLong(page.findElement(By.id("snapshots")).getAttribute("data-count"));
    }

    /** The row's data attributes (state, r, w, pending, high), or null when the page shows no such connection. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> row(WebDriver page, long id) {
        return (Map<String, String>) ((JavascriptExecutor) page).executeScript(
                "const tr = document.querySelector('#connections tr[data-conn-id=\"' + arguments[0] + '\"]');"
                        + "return tr ? {state: tr.dataset.state, r: tr.dataset.r, w: tr.dataset.w,"
                        + " pending: tr.dataset.pending, high: tr.dataset.high, service: tr.cells[1].textContent} : null;",
                String.valueOf(id));
    }

    private static long awaitRow(WebDriver page, String service) throws InterruptedException {
        AtomicLong found = new AtomicLong(-1);
        awaitTrue("a " + service + " row", () -> {
            Object id = ((JavascriptExecutor) page).executeScript(
                    "for (const tr of document.querySelectorAll('#connections tbody tr'))"
                            + " if (tr.cells[1].textContent === arguments[0]) return tr.dataset.connId;"
                            + "return null;", service);
            if (id != null) {
                found.set(Long.parseLong(id.toString()));
            }
            return id != null;
        });
        return found.get();
    }

    /** The texts of the events of {@code kind} about connection {@code id} the page has shown so far. */
    @SuppressWarnings("unchecked")
    private static List<String> seenEvents(WebDriver page, long id, String kind) {
        return (List<String>) ((JavascriptExecutor) page).executeScript(
                "return window.__seen.filter(e => e.id === arguments[0] && e.kind === arguments[1]).map(e => e.text);",
                String.valueOf(id), kind);
    }

    private static void assertNoConsoleErrors(WebDriver page) {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : page.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue() && !e.getMessage().contains("favicon.ico")) {
                errors.add(e.getLevel() + " " + e.getMessage());
            }
        }
        assertThat(errors).as("the browser console").isEmpty();
    }

    private static void screenshot(WebDriver page, String name) throws IOException {
        Path to = Path.of("target", name);
        Files.createDirectories(to.getParent());
        Files.write(to, ((TakesScreenshot) page).getScreenshotAs(OutputType.BYTES));
    }

    private double metric(String name) throws IOException {
        try (RawHttpClient http = new RawHttpClient(metrics)) {
            RawHttpClient.Response r = http.send(RawHttpClient.get("/metrics")).read();
            Double v = PrometheusText.parse(r.body()).get(name);
            assertThat(v).as(name).isNotNull();
            return v;
        }
    }

    /** The server's heap in use right after a full GC, from jcmd: what it really holds, not what it has not freed. */
    private long heapAfterGc() throws Exception {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        // G1 prints one "total NK, used MK" line for the heap; the serial and parallel collectors one per generation.
        Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        long used = 0;
        boolean any = false;
        while (m.find()) {
            used += Long.parseLong(m.group(1)) * 1024;
            any = true;
        }
        assertThat(any).as("jcmd GC.heap_info: " + info).isTrue();
        return used;
    }

    private String jcmd(String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(server.pid()), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("jcmd " + command + ": " + out).isZero();
        return out;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("not within " + WAIT.toSeconds() + " s: " + what).isNegative();
            Thread.sleep(25);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
