package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a client sent to {@code /infer/image}, whatever the encoding: a raw image body, a
 * multipart form with one or many files (and option fields), or JSON with base64 images or
 * {@code data:} URLs. Options come from the query string and from the body; the body wins.
 *
 * @param model   the model named by {@code ?model=} or the body, or null for the default
 * @param images  the encoded images, each with the label that names it in results and errors
 * @param options raw option values (strings from query/form fields, JSON values from JSON)
 * @param many    true when the client sent a list (multipart files or JSON {@code images}):
 *                the response is then a list with one result or error per image
 */
record ImageRequest(String model, List<EncodedImage> images, Map<String, Object> options, boolean many) {
    private static final List<String> ACCEPTED_IMAGE_TYPES = List.of("image/jpeg", "image/png", "image/gif", "image/bmp");
    private static final Set<String> IMAGE_TYPES = Set.copyOf(ACCEPTED_IMAGE_TYPES);
    /** For messages, in a stable order. */
    static final String IMAGE_TYPE_LIST = String.join(", ", ACCEPTED_IMAGE_TYPES);
    static final int MAX_IMAGES = 64;
    static final String MODEL_PARAM = "model";
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    /** One image as received; {@code error} is set instead of bytes when only this image is bad. */
    record EncodedImage(String label, byte[] bytes, ServingException error) {
    }

    static ImageRequest parse(ServerRequest req, byte[] body) {
        Map<String, Object> options = new LinkedHashMap<>();
        String model = QueryOptions.into(req, options);
        if (body.length == 0) {
            throw new ServingException(ErrorKind.EMPTY_BODY, "the request has no body: send an image ("
                    + IMAGE_TYPE_LIST + "), a multipart form with files, or JSON");
        }
        HttpMediaType type = req.headers().contentType().orElseThrow(() -> new ServingException(
                ErrorKind.UNSUPPORTED_MEDIA_TYPE, "the request has no Content-Type; " + supported()));
        String mediaType = type.mediaType().text().toLowerCase(Locale.ROOT);
        if (IMAGE_TYPES.contains(mediaType)) {
            return new ImageRequest(model, List.of(new EncodedImage("body", body, null)), options, false);
        }
        if (mediaType.equals("multipart/form-data")) {
            return fromMultipart(body, type.text(), model, options);
        }
        if (mediaType.equals("application/json")) {
            return fromJson(body, model, options);
        }
        throw new ServingException(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type " + mediaType + " is not accepted here; " + supported());
    }

    private static String supported() {
        return "use one of " + IMAGE_TYPE_LIST + ", multipart/form-data or application/json";
    }

    private static ImageRequest fromMultipart(byte[] body, String contentType, String model,
                                              Map<String, Object> options) {
        List<EncodedImage> images = new ArrayList<>();
        for (MultipartParser.Part part : MultipartParser.parse(body, MultipartParser.boundary(contentType))) {
            if (part.filename() == null && !isImageType(part.contentType())) {
                String value = new String(part.content(), java.nio.charset.StandardCharsets.UTF_8);
                if (part.name().equals(MODEL_PARAM)) {
                    model = value;
                } else {
                    options.put(part.name(), value);
                }
                continue;
            }
            String label = part.filename() != null && !part.filename().isEmpty() ? part.filename() : part.name();
            ServingException error = null;
            if (!mayHoldAnImage(part.contentType())) {
                error = new ServingException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, label + ": part type "
                        + part.contentType() + " is not an accepted image type (" + IMAGE_TYPE_LIST + ")");
            }
            images.add(new EncodedImage(label, part.content(), error));
        }
        if (images.isEmpty()) {
            throw new ServingException(ErrorKind.BAD_REQUEST,
                    "the multipart form has no file part: add at least one image file");
        }
        checkCount(images.size());
        return new ImageRequest(model, images, options, true);
    }

    /** A file part's type that may carry an image: none, an accepted image type, or octet-stream (decoding decides). */
    static boolean mayHoldAnImage(String contentType) {
        return contentType == null || isImageType(contentType)
                || contentType.toLowerCase(Locale.ROOT).startsWith("application/octet-stream");
    }

    private static boolean isImageType(String contentType) {
        if (contentType == null) {
            return false;
        }
        String base = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return IMAGE_TYPES.contains(base);
    }

    private static ImageRequest fromJson(byte[] body, String model, Map<String, Object> options) {
        JsonNode root = JsonBody.object(body, "with \"image\" or \"images\"");
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("model", "image", "images", "options").contains(field)) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "unknown field \"" + field
                        + "\" in the JSON body (expected: model, image, images, options)");
            }
        }
        if (root.has("model")) {
            model = JsonBody.string(root.get("model"), "model");
        }
        JsonNode opts = root.get("options");
        if (opts != null && !opts.isNull()) {
            if (!opts.isObject()) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "\"options\" must be a JSON object");
            }
            opts.fields().forEachRemaining(e -> options.put(e.getKey(), JsonBody.optionValue(e.getValue())));
        }
        boolean one = root.has("image");
        boolean many = root.has("images");
        if (one == many) {
            throw new ServingException(ErrorKind.BAD_REQUEST,
                    "the JSON body needs exactly one of \"image\" (a string) or \"images\" (a list of strings)");
        }
        List<EncodedImage> images = new ArrayList<>();
        if (one) {
            images.add(fromBase64(JsonBody.string(root.get("image"), "image"), "image"));
        } else {
            JsonNode list = root.get("images");
            if (!list.isArray() || list.isEmpty()) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "\"images\" must be a non-empty list of strings");
            }
            checkCount(list.size());
            for (int i = 0; i < list.size(); i++) {
                String label = "images[" + i + "]";
                try {
                    images.add(fromBase64(JsonBody.string(list.get(i), label), label));
                } catch (ServingException e) {
                    images.add(new EncodedImage(label, null, e));
                }
            }
        }
        return new ImageRequest(model, images, options, many);
    }

    /** Plain base64, or a {@code data:image/png;base64,...} URL. */
    private static EncodedImage fromBase64(String value, String label) {
        String payload = value;
        if (value.startsWith("data:")) {
            int comma = value.indexOf(',');
            String meta = comma < 0 ? "" : value.substring(5, comma).toLowerCase(Locale.ROOT);
            if (comma < 0 || !meta.endsWith(";base64")) {
                throw new ServingException(ErrorKind.INVALID_IMAGE,
                        label + ": a data: URL must be data:<image type>;base64,<data>");
            }
            String mediaType = meta.substring(0, meta.length() - ";base64".length());
            if (!IMAGE_TYPES.contains(mediaType)) {
                throw new ServingException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, label + ": data: URL type "
                        + mediaType + " is not an accepted image type (" + IMAGE_TYPE_LIST + ")");
            }
            payload = value.substring(comma + 1);
        }
        try {
            return new EncodedImage(label, Base64.getDecoder().decode(WHITESPACE.matcher(payload).replaceAll("")), null);
        } catch (IllegalArgumentException e) {
            throw new ServingException(ErrorKind.INVALID_IMAGE, label + ": not valid base64 (" + e.getMessage() + ")");
        }
    }

    private static void checkCount(int n) {
        if (n > MAX_IMAGES) {
            throw new ServingException(ErrorKind.BAD_REQUEST,
                    n + " images in one request is over the limit of " + MAX_IMAGES);
        }
    }
}
