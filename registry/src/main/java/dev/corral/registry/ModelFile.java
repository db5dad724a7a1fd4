package dev.corral.registry;

/**
 * A file of the model, named by its role in the manifest's {@code files}.
 *
 * @param role   the key in {@code files}, e.g. {@code model} or {@code labels}
 * @param path   relative to the manifest's folder; never absolute, never containing {@code ..}
 * @param sha256 64 lower-case hex digits
 */
public record ModelFile(String role, String path, String sha256) {
}
