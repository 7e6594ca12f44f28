package nioreactor.library;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What an embedder of {@code nioreactor:nioreactor} gets on its classpath. {@code mvn install} installs pom.xml as it
 * is (the shade plugin's dependency-reduced pom is off, and there is no parent to inherit dependencies from), so
 * reading it tells what Maven will resolve: every dependency that is neither optional nor test/provided-scoped is
 * transitive, and the only one allowed is slf4j-api. picocli, slf4j-simple and HdrHistogram are the application's
 * (bundled into the shaded target/nioreactor.jar) and must stay optional.
 *
 * <p>{@code make test} also resolves a real consumer of the installed artifact (src/test/resources/consumer/pom.xml).
 */
class LibraryPomTest {
    private static Document pom;

    private record Dependency(String groupId, String artifactId, String version, String scope, boolean optional) {
        String coordinates() {
            return groupId + ":" + artifactId;
        }

        boolean transitive() {
            return !optional && (scope.equals("compile") || scope.equals("runtime"));
        }
    }

    @BeforeAll
    static void parse() throws Exception {
        pom = parse(Path.of("pom.xml"));
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void theOnlyTransitiveDependencyIsSlf4jApi() {
        List<String> transitive = dependencies().stream()
                .filter(Dependency::transitive)
                .map(Dependency::coordinates)
                .toList();
        assertThat(transitive).containsExactly("org.slf4j:slf4j-api");
    }

    @Test
    void theApplicationsDependenciesAreOptional() {
        List<String> optional = dependencies().stream()
                .filter(Dependency::optional)
                .map(Dependency::coordinates)
                .toList();
        assertThat(optional).containsExactlyInAnyOrder(
                "info.picocli:picocli", "org.slf4j:slf4j-simple", "org.hdrhistogram:HdrHistogram");
    }

    @Test
    void thePomIsInstalledAsItIs() {
        Element project = pom.getDocumentElement();
        assertThat(children(project, "parent")).as("a parent could add dependencies this test cannot see").isEmpty();
        assertThat(text(project, "groupId") + ":" + text(project, "artifactId")).isEqualTo("nioreactor:nioreactor");
        assertThat(text(project, "packaging")).isEqualTo("jar");
        // A dependency-reduced pom would replace pom.xml in the local repository.
        List<String> reduced = new ArrayList<>();
        collect(project, "createDependencyReducedPom", reduced);
        assertThat(reduced).isNotEmpty().containsOnly("false");
    }

    @Test
    void theConsumerPomAsksForThisVersion() throws Exception {
        Element consumer = parse(Path.of("src/test/resources/consumer/pom.xml")).getDocumentElement();
        Element dependency = children(child(consumer, "dependencies"), "dependency").get(0);
        assertThat(text(dependency, "groupId") + ":" + text(dependency, "artifactId") + ":" + text(dependency, "version"))
                .isEqualTo("nioreactor:nioreactor:" + text(pom.getDocumentElement(), "version"));
    }

    private static List<Dependency> dependencies() {
        List<Dependency> all = new ArrayList<>();
        // Only project/dependencies: dependencyManagement only pins versions (the JUnit BOM) and adds nothing.
        for (Element d : children(child(pom.getDocumentElement(), "dependencies"), "dependency")) {
            String scope = text(d, "scope");
            all.add(new Dependency(text(d, "groupId"), text(d, "artifactId"), text(d, "version"),
                    scope == null ? "compile" : scope, "true".equals(text(d, "optional"))));
        }
        assertThat(all).as("dependencies in pom.xml").isNotEmpty();
        return all;
    }

    private static void collect(Node node, String name, List<String> values) {
        if (node.getNodeType() != Node.ELEMENT_NODE) {
            return;
        }
        if (node.getNodeName().equals(name)) {
            values.add(node.getTextContent().trim());
        }
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            collect(c, name, values);
        }
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        assertThat(found).as("<%s> in <%s>", name, parent.getNodeName()).hasSize(1);
        return found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getNodeName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }
}
