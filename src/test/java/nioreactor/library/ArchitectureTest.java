package nioreactor.library;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaModifier.PUBLIC;
import static com.tngtech.archunit.core.domain.properties.HasModifiers.Predicates.modifier;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * No back doors: the library is the public types of {@code nioreactor.reactor}, the built-in services (upper-echo,
 * framed echo, time, metrics) and everything else of nioreactor use that API as any embedder would, and the codebase
 * has one event loop, the reactor's. Checked on the compiled main classes, so nobody has to remember.
 */
@AnalyzeClasses(packages = "nioreactor", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String API = "nioreactor.reactor";

    /**
     * The compiler already keeps other packages away from package-private types, so this one holds by construction;
     * it is kept as the rule's statement. The two below are the ones a compiler cannot check.
     */
    @ArchTest
    static final ArchRule onlyThePublicApiIsUsedFromOutside = noClasses()
            .that().resideOutsideOfPackage(API)
            .should().dependOnClassesThat(resideInAPackage(API).and(not(modifier(PUBLIC))))
            .as("classes outside " + API + " use only its public types");

    /**
     * One event loop: no service, client or tool runs a selector of its own (a private loop would bypass the reactor's
     * single-thread rule, budgets, backpressure and metrics). The one exception is named: the demo that shows raw NIO
     * on purpose. The load generator is a client of the library too (a Reactor per thread, outbound connections).
     */
    @ArchTest
    static final ArchRule noPrivateEventLoops = noClasses()
            .that().resideOutsideOfPackage(API)
            .and(not(belongTo(name("nioreactor.demo.UdpNoServerDemo"))))
            .should().dependOnClassesThat(assignableTo(Selector.class).or(assignableTo(SelectionKey.class)))
            .orShould().callMethodWhere(registersAChannel())
            .as("only " + API + " uses Selector, SelectionKey or SelectableChannel.register");

    /** The library stands alone: the JDK, slf4j-api and itself; nothing else of nioreactor, no other library. */
    @ArchTest
    static final ArchRule theLibraryStandsAlone = classes()
            .that().resideInAPackage(API)
            .should().onlyDependOnClassesThat(resideInAPackage(API)
                    .or(resideInAPackage("java.."))
                    .or(resideInAPackage("javax.net.ssl.."))
                    .or(resideInAPackage("org.slf4j..")))
            .as(API + " depends only on the JDK's java.* and javax.net.ssl (TLS), and on org.slf4j");

    private static DescribedPredicate<JavaMethodCall> registersAChannel() {
        return DescribedPredicate.describe("SelectableChannel.register",
                call -> call.getTarget().getName().equals("register")
                        && call.getTarget().getOwner().isAssignableTo(SelectableChannel.class));
    }
}
