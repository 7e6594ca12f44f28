# nioreactor: the two commands a new user needs are `make run` and `make test`.
MVN ?= mvn -B
# Maven colours its output even when it goes to a file or a CI log (mvn -q does); escape codes only make logs
# unreadable there, so every Maven call here turns them off, whatever MVN is set to.
override MVN := $(MVN) -Dstyle.color=never
JAR := target/nioreactor.jar
SOURCES := $(shell find src/main -type f 2>/dev/null) pom.xml

.PHONY: run test install jar clean bench bench-kv bench-micro soak test-redis

run: $(JAR)
	java -jar $(JAR) serve

# Every test, then a compile of the bench project (Netty, JMH), so a change that breaks the benchmarks fails here too.
# The bench project depends on this one as a Maven artifact, hence the install in between.
test:
	$(MVN) verify
	$(MAKE) --no-print-directory install
	cd bench && $(MVN) -q compile

# Writes nioreactor 0.1.0 (jar and pom) into the local Maven repository (~/.m2/repository/nioreactor/), where the
# bench project finds it.
install:
	$(MVN) -q install -DskipTests

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
