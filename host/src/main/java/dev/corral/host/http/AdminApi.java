package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.serving.ModelBundles;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /admin/models/{name}}: PUT installs a bundle, POST {@code .../reload} reloads from disk,
 * DELETE unloads. Every call needs {@code Authorization: Bearer TOKEN}; the routes exist only when
 * a token is configured (see {@link HttpApi}), so an unconfigured server answers 404 for them.
 */
public final class AdminApi implements HttpService {
    public static final String PREFIX = "/admin/models";
    private static final String MANIFEST_PART = "manifest";

    private final ModelBundles bundles;
    private final byte[] tokenDigest;
    private final long maxBodyBytes;

    /**
     * @param token        the admin token, not empty
     * @param maxBodyBytes the largest bundle accepted (weights are big: a separate, larger limit)
     */
    public AdminApi(ModelBundles bundles, String token, long maxBodyBytes) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("the admin token is empty");
        }
        this.bundles = bundles;
        this.tokenDigest = digest(token);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::authorize)
                .put("/{name}", this::install)
                .post("/{name}/reload", (req, res) -> Json.send(res, 200, bundles.reload(name(req))))
                .delete("/{name}", this::remove);
    }

    /**
     * Compares digests with {@link MessageDigest#isEqual}, whose time does not depend on where
     * they differ, so a client cannot learn the token a byte at a time; hashing first also hides
     * the token's length.
     */
    private void authorize(ServerRequest req, ServerResponse res) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        String given = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (given == null || !MessageDigest.isEqual(digest(given), tokenDigest)) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            throw new ServingException(ErrorKind.UNAUTHORIZED, given == null
                    ? "admin routes need the header 'Authorization: Bearer TOKEN'" : "the admin token is wrong");
        }
        res.next();
    }

    private void install(ServerRequest req, ServerResponse res) {
        String contentType = req.headers().contentType().map(Object::toString).orElse("");
        if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
            throw new ServingException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "a bundle is multipart/form-data: a '"
                    + MANIFEST_PART + "' part (model.json) and one file part per file, named by its path in the"
                    + " manifest; got Content-Type '" + contentType + "'");
        }
        byte[] body = RequestBody.read(req, maxBodyBytes);
        byte[] manifest = null;
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (MultipartParser.Part part : MultipartParser.parse(body, MultipartParser.boundary(contentType))) {
            if (part.name().equals(MANIFEST_PART)) {
                if (manifest != null) {
                    throw new ServingException(ErrorKind.BAD_REQUEST, "the bundle has two '" + MANIFEST_PART + "' parts");
                }
                manifest = part.content();
            } else if (part.filename() == null || part.filename().isEmpty()) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "bundle part '" + part.name()
                        + "' has no filename: each file part's filename is its path in the manifest");
            } else if (files.put(part.filename(), part.content()) != null) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "the bundle uploads '" + part.filename() + "' twice");
            }
        }
        if (manifest == null) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "the bundle has no '" + MANIFEST_PART
                    + "' part (its model.json)");
        }
        Json.send(res, 200, bundles.install(name(req), manifest, files));
    }

    private void remove(ServerRequest req, ServerResponse res) {
        String name = name(req);
        bundles.remove(name);
        Json.send(res, 200, Map.of("name", name, "state", "removed"));
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
