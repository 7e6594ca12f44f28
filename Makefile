# nioreactor: the two commands a new user needs are `make run` and `make test`.
MVN ?= mvn -B
# Maven colours its output even when it goes to a file or a CI log (mvn -q does); escape codes only make logs
# unreadable there, so every Maven call here turns them off, whatever MVN is set to.
override MVN := $(MVN) -Dstyle.color=never
JAR := target/nioreactor.jar
SOURCES := $(shell find src/main -type f 2>/dev/null) pom.xml

.PHONY: run test test-lb install jar clean bench bench-micro soak

run: $(JAR)
	java -jar $(JAR) serve

# Every test, then a compile of the bench project (Netty, JMH), so a change that breaks the benchmarks fails here too.
# The bench project depends on this one as a Maven artifact, hence the install in between.
test:
	$(MVN) verify
	$(MAKE) --no-print-directory install
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

# Writes nioreactor 0.1.0 (jar and pom) into the local Maven repository (~/.m2/repository/nioreactor/), where the
# bench project finds it.
install:
	$(MVN) -q install -DskipTests

jar: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) -q package -DskipTests

clean:
	$(MVN) -q clean
	rm -rf bench/target

bench:
	bash bench/run.sh

bench-micro:
	bash bench/micro.sh

soak: $(JAR)
	bash bench/soak.sh
