package dev.corral.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The model catalog ({@code models/catalog.json}): where each model's files come from, so that
 * weights are fetched and verified rather than committed.
 *
 * @param source the catalog file, as the path it was read from
 * @param models model name (the folder under {@code models/}) → its files, in document order
 */
public record Catalog(Path source, Map<String, Model> models) {

    public Catalog {
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /**
     * @param name        the model's folder name under {@code models/}
     * @param description for people, may be empty
     * @param files       at least one; distinct paths
     */
    public record Model(String name, String description, List<File> files) {
        public Model {
            files = List.copyOf(files);
        }
    }

    /**
     * One file of a model. Its upstream is one of a {@code url}, an {@code entry} of a Maven jar or an
     * {@code entry} of an npm package's tarball; a file with none exists only in mirrors.
     *
     * @param path    where it lands, relative to {@code models/<model>/}
     * @param sha256  64 lower-case hex digits: the bytes every source must deliver
     * @param size    in bytes
     * @param license the license the file is distributed under
     * @param url     the upstream address, or {@code null}
     * @param maven   the jar that holds the file, or {@code null}
     * @param npm     the npm package whose tarball holds the file, or {@code null}
     * @param entry   the file's path inside the {@code maven} jar or the {@code npm} tarball (there it
     *                usually starts with {@code package/}); {@code null} exactly when both are
     * @param mirror  its path under a mirror folder, or {@code null} when mirrors do not carry it
     * @param note    for people (e.g. why the mirror's copy differs from upstream), or {@code null}
     */
    public record File(String path, String sha256, long size, String license, URI url, MavenArtifact maven,
                       NpmPackage npm, String entry, String mirror, String note) {
    }

    /**
     * Reads and validates a catalog file.
     *
     * @throws CatalogException listing every problem (including an unreadable file or broken JSON)
     */
    public static Catalog load(Path file) throws CatalogException {
        Problems problems = new Problems();
        String json = JsonDocument.readText(file, problems);
        JsonNode root = json == null ? null : JsonDocument.parse(json, problems);
        Map<String, Model> models = new LinkedHashMap<>();
        JsonCursor c = JsonCursor.root(root, problems);
        if (root != null && c.object(true, "description", "models")) {
            c.field("description").string(false, "");
            c.field("models").entries(true).forEach((name, m) -> {
                Model model = model(name, m, problems);
                if (model != null) {
                    models.put(name, model);
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(file, problems.lines());
        }
        return new Catalog(file, models);
    }

    /**
     * The model with this name.
     *
     * @throws IllegalArgumentException naming the models the catalog has, when it has no such model
     */
    public Model model(String name) {
        Model model = models.get(name);
        if (model == null) {
            throw new IllegalArgumentException("the catalog " + source + " has no model '" + name + "' (it has: "
                    + String.join(", ", models.keySet()) + ")");
        }
        return model;
    }

    private static Model model(String name, JsonCursor c, Problems problems) {
        int mark = problems.mark();
        if (!ManifestParser.NAME.matcher(name).matches()) {
            c.problem("expected a model name: " + ManifestParser.NAME_RULE);
        }
        if (!c.object(true, "description", "files")) {
            return null;
        }
        String description = c.field("description").string(false, "");
        List<JsonCursor> elements = c.field("files").elements(true);
        if (c.field("files").present() && c.field("files").node().isArray() && elements.isEmpty()) {
            c.field("files").problem("expected at least one file, found an empty list");
        }
        List<File> files = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        for (JsonCursor f : elements) {
            File file = file(f, problems);
            if (file != null && !paths.add(file.path())) {
                f.field("path").problem("'" + file.path() + "' is listed twice for this model");
            }
            if (file != null) {
                files.add(file);
            }
        }
        return problems.since(mark) ? null : new Model(name, description, files);
    }

    private static File file(JsonCursor c, Problems problems) {
        if (!c.object(true, "path", "sha256", "size", "license", "url", "maven", "npm", "entry", "mirror", "note")) {
            return null;
        }
        int mark = problems.mark();
        String path = c.field("path").relativePath(true);
        String sha256 = c.field("sha256").string(true, Sha256.PATTERN, ManifestParser.SHA256_RULE);
        Long size = c.field("size").integer(true, 0, Long.MAX_VALUE, null);
        String license = c.field("license").string(true, null);
        URI url = url(c.field("url"));
        String coordinates = c.field("maven").string(false, MavenArtifact.COORDINATES, MavenArtifact.COORDINATES_RULE);
        MavenArtifact maven = coordinates == null ? null : MavenArtifact.parse(coordinates);
        String npmCoordinate = c.field("npm").string(false, NpmPackage.COORDINATE, NpmPackage.COORDINATE_RULE);
        NpmPackage npm = npmCoordinate == null ? null : NpmPackage.parse(npmCoordinate);
        String entry = c.field("entry").relativePath(false);
        String mirror = c.field("mirror").relativePath(false);
        String note = c.field("note").string(false, null);
        List<String> upstreams = Stream.of("url", "maven", "npm").filter(name -> c.field(name).present()).toList();
        if (upstreams.size() > 1) {
            c.problem("a file has one upstream, a \"url\", a \"maven\" jar or an \"npm\" package, found "
                    + upstreams.stream().map(name -> "\"" + name + "\"").collect(Collectors.joining(" and ")));
        } else if (upstreams.isEmpty() && !c.field("mirror").present()) {
            c.problem("a file needs a \"url\", a \"maven\" jar, an \"npm\" package or a \"mirror\" path:"
                    + " it has no source");
        }
        boolean inArchive = upstreams.contains("maven") || upstreams.contains("npm");
        if (inArchive && !c.field("entry").present()) {
            c.field("entry").problem(upstreams.contains("maven")
                    ? "missing (expected the file's path inside the \"maven\" jar)"
                    : "missing (expected the file's path inside the \"npm\" package's tarball, e.g."
                    + " \"package/model.onnx\")");
        } else if (!inArchive && c.field("entry").present()) {
            c.field("entry").problem("applies only with \"maven\" or \"npm\" (the path of the file inside that"
                    + " jar or tarball)");
        }
        return problems.since(mark) ? null
                : new File(path, sha256, size, license, url, maven, npm, entry, mirror, note);
    }

    private static URI url(JsonCursor c) {
        String text = c.string(false, null);
        if (text == null) {
            return null;
        }
        try {
            URI url = new URI(text);
            if (("https".equals(url.getScheme()) || "http".equals(url.getScheme())) && url.getHost() != null) {
                return url;
            }
        } catch (java.net.URISyntaxException notAUrl) {
            // reported below, like any other value that is not an http(s) address
        }
        c.expected("an http(s) address");
        return null;
    }
}
