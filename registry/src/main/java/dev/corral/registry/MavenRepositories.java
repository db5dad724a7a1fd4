package dev.corral.registry;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@link ModelFetcher} looks for the Maven jars that hold model files: first the local
 * repository (what Maven has already downloaded), then a remote one.
 *
 * @param local  a local repository folder (standard layout), or {@code null} to skip it
 * @param remote a remote repository's base address (standard layout), or {@code null} to skip it
 */
public record MavenRepositories(Path local, URI remote) {
    /** The environment variable that names the local repository (default {@code ~/.m2/repository}). */
    public static final String LOCAL_ENV = "CORRAL_MAVEN_LOCAL";
    /** The environment variable that names the remote repository (default Maven Central). */
    public static final String REMOTE_ENV = "CORRAL_MAVEN_REPO";
    public static final URI MAVEN_CENTRAL = URI.create("https://repo.maven.apache.org/maven2");

    /** The repositories this process's environment names, as {@link #from} reads them. */
    public static MavenRepositories fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * {@value #LOCAL_ENV}, else {@code userHome/.m2/repository}; {@value #REMOTE_ENV}, else Maven Central.
     * An empty variable counts as unset.
     *
     * @throws IllegalArgumentException when {@value #REMOTE_ENV} is not an http(s) address
     */
    public static MavenRepositories from(Map<String, String> env, Path userHome) {
        String local = env.get(LOCAL_ENV);
        String remote = env.get(REMOTE_ENV);
        return new MavenRepositories(
                local == null || local.isEmpty() ? userHome.resolve(".m2/repository") : Path.of(local),
                remote == null || remote.isEmpty() ? MAVEN_CENTRAL : remoteAddress(remote));
    }

    private static URI remoteAddress(String text) {
        try {
            URI uri = new URI(text);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException notAUrl) {
            // reported below, like any other value that is not an http(s) address
        }
        throw new IllegalArgumentException(REMOTE_ENV + ": expected the http(s) address of a Maven repository, found \""
                + text + "\"");
    }

    /** Where the local repository keeps the jar (it may not be there). */
    Path localJar(MavenArtifact artifact) {
        return local.resolve(artifact.jarPath());
    }

    /** The jar's address in the remote repository. */
    URI remoteJar(MavenArtifact artifact) {
        String base = remote.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + artifact.jarPath());
    }
}
