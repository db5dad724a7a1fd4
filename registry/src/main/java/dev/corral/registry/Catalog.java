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
     * One file of a model.
     *
     * @param path    where it lands, relative to {@code models/<model>/}
     * @param sha256  64 lower-case hex digits: the bytes every source must deliver
     * @param size    in bytes
     * @param license the license the file is distributed under
     * @param url     the upstream address, or {@code null} for a file that only a mirror has
     * @param mirror  its path under a mirror folder, or {@code null} when mirrors do not carry it
     * @param note    for people (e.g. why the mirror's copy differs from upstream), or {@code null}
     */
    public record File(String path, String sha256, long size, String license, URI url, String mirror, String note) {
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
            File file = file(f);
            if (file != null && !paths.add(file.path())) {
                f.field("path").problem("'" + file.path() + "' is listed twice for this model");
            }
            if (file != null) {
                files.add(file);
            }
        }
        return problems.since(mark) ? null : new Model(name, description, files);
    }

    private static File file(JsonCursor c) {
        if (!c.object(true, "path", "sha256", "size", "license", "url", "mirror", "note")) {
            return null;
        }
        String path = c.field("path").relativePath(true);
        String sha256 = c.field("sha256").string(true, Sha256.PATTERN, ManifestParser.SHA256_RULE);
        Long size = c.field("size").integer(true, 0, Long.MAX_VALUE, null);
        String license = c.field("license").string(true, null);
        URI url = url(c.field("url"));
        String mirror = c.field("mirror").relativePath(false);
        String note = c.field("note").string(false, null);
        if (!c.field("url").present() && !c.field("mirror").present()) {
            c.problem("a file needs a \"url\" or a \"mirror\" path (or both): it has no source");
        }
        if (path == null || sha256 == null || size == null || license == null
                || (c.field("url").present() && url == null) || (c.field("mirror").present() && mirror == null)) {
            return null;
        }
        return new File(path, sha256, size, license, url, mirror, note);
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
