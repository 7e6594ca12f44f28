# nioreactor: the two commands a new user needs are `make run` and `make test`.
MVN ?= mvn -B
JAR := target/nioreactor.jar
SOURCES := $(shell find src/main -type f 2>/dev/null) pom.xml

.PHONY: run test jar clean bench bench-micro soak

run: $(JAR)
	java -jar $(JAR) serve

# Every test, then a compile of the bench project (Netty, JMH), so a change that breaks the benchmarks fails here too.
test:
	$(MVN) verify
	$(MVN) -q install -DskipTests
	cd bench && $(MVN) -q compile

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
