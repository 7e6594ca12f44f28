# nioreactor: the two commands a new user needs are `make run` and `make test`.
MVN ?= mvn -B
# Maven colours its output even when it goes to a file or a CI log (mvn -q does); escape codes only make logs
# unreadable there, so every Maven call here turns them off, whatever MVN is set to.
override MVN := $(MVN) -Dstyle.color=never
JAR := target/nioreactor.jar
SOURCES := $(shell find src/main -type f 2>/dev/null) pom.xml

.PHONY: run run-tls test test-lb test-browser bench-scale install library-deps jar clean bench bench-kv bench-micro soak test-redis

run: $(JAR)
	java -jar $(JAR) serve

# The services plus upper-echo over TLS on 8443 and framed upper-echo on 8444, with a self-signed certificate for
# localhost and 127.0.0.1 made on first use by the JDK's own keytool (no openssl, no extra dependency) in target/tls/.
# target/tls/cert.pem is that certificate, for clients: client --tls --cafile target/tls/cert.pem.
TLS_DIR := target/tls
run-tls: $(JAR)
	@test -f $(TLS_DIR)/server.p12 || { mkdir -p $(TLS_DIR) && \
	  keytool -genkeypair -alias nioreactor -keyalg EC -groupname secp256r1 -dname CN=localhost \
	    -ext san=dns:localhost,ip:127.0.0.1 -validity 365 -keystore $(TLS_DIR)/server.p12 -storetype PKCS12 \
	    -storepass changeit -keypass changeit && \
	  keytool -exportcert -rfc -alias nioreactor -keystore $(TLS_DIR)/server.p12 -storepass changeit \
	    -file $(TLS_DIR)/cert.pem && echo "wrote $(TLS_DIR)/server.p12 and $(TLS_DIR)/cert.pem"; }
	java -jar $(JAR) serve --tls-tcp 8443 --tls-framed 8444 --tls-keystore $(TLS_DIR)/server.p12 \
	  --tls-keystore-password changeit

# Every test (unit tests, then the integration tests against the packaged jars), the library's Javadoc with every
# warning an error, the install, a check of what an embedder's classpath gets from it, and a compile of the bench
# project (Netty, JMH), so a change that breaks the benchmarks fails here too. The bench project depends on this one
# as a Maven artifact, hence the install in between.
test:
	$(MVN) verify
	$(MVN) javadoc:javadoc
	$(MAKE) --no-print-directory install
	$(MAKE) --no-print-directory library-deps
	cd bench && $(MVN) -q compile

# HAProxy (deploy/haproxy.cfg, its ports substituted) in front of three `serve --proxy-protocol` processes under
# verified load, one drained with SIGTERM and one SIGKILLed (src/test/java/nioreactor/lb/HaproxyLoadBalancingCheck.java).
# Installs Debian's haproxy when it is missing (needs root, as in CI). Prints its figures, and fails, never skips.
LB_REPORT := target/surefire-reports/nioreactor.lb.HaproxyLoadBalancingCheck-output.txt
test-lb: $(JAR)
	@command -v haproxy >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy; }
	@rm -f $(LB_REPORT)
	@$(MVN) -q test -Dtest=HaproxyLoadBalancingCheck -Dsurefire.failIfNoSpecifiedTests=false; status=$$?; \
		cat $(LB_REPORT) 2>/dev/null; exit $$status

# The dashboard (serve --metrics, GET /) in a real headless Chromium, driven by Selenium: DashboardBrowserIT. Installs
# Debian's chromium and chromium-driver with apt-get when they are missing (as root, or through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
test-browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "installing chromium and chromium-driver (Debian packages)"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium chromium-driver; \
	fi
	$(MVN) -Pbrowser verify

# The figures of bench/RESULTS.md "Several reactors": server CPU per request for --reactors 1 and 2 in each accept
# mode, the spread of connections, a connect storm, and the cost of one execute hop (ScaleMeasurement; ~4 minutes).
bench-scale: $(JAR)
	@$(MVN) -q test -Dtest=ScaleMeasurement -Dsurefire.failIfNoSpecifiedTests=false; status=$$?; \
		cat target/surefire-reports/nioreactor.lb.ScaleMeasurement-output.txt 2>/dev/null; exit $$status

# Writes nioreactor 0.1.0 (the thin library jar and its pom: an embedder gets slf4j-api only; see docs/embedding.md)
# into the local Maven repository (~/.m2/repository/nioreactor/), where the bench project finds it. The shaded
# application jar is built alongside, as always.
install:
	$(MVN) -q install -DskipTests

# Resolves a consumer of the installed library the way an embedder's build would, and fails unless its classpath
# is nioreactor and slf4j-api alone (picocli, slf4j-simple and HdrHistogram are optional: the application's only).
library-deps:
	$(MVN) -q -f src/test/resources/consumer/pom.xml dependency:list -DoutputFile=$(CURDIR)/target/consumer-deps.txt
	@deps="$$(sed -n 's/^ *\([^: ]*:[^: ]*\):.*/\1/p' target/consumer-deps.txt | sort | tr '\n' ' ')"; \
	if [ "$$deps" != "nioreactor:nioreactor org.slf4j:slf4j-api " ]; then \
	  echo "an embedder of nioreactor:nioreactor would get: $$deps(want nioreactor and slf4j-api only)"; exit 1; \
	fi; echo "an embedder gets: $$deps"

# The kv service (serve --kv) against the real redis-server, with redis-cli and redis-benchmark: the same scripts run
# against both and must answer the same, line by line. Installs redis-tools and redis-server with apt-get if missing.
test-redis: $(JAR)
	bash src/test/redis/compare.sh

jar: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) -q package -DskipTests

clean:
	$(MVN) -q clean
	rm -rf bench/target

bench:
	bash bench/run.sh
	$(MAKE) --no-print-directory bench-kv

# The kv service against redis-server with redis-benchmark, and memory per key (bench/kv.sh says how).
bench-kv:
	bash bench/kv.sh

bench-micro:
	bash bench/micro.sh

soak: $(JAR)
	bash bench/soak.sh
