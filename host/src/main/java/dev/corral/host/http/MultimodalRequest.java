package dev.corral.host.http;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a client sent to {@code /infer/multimodal}: a {@code multipart/form-data} body with one
 * {@code image} part (a file) and one or more {@code text} parts; any other field is an option
 * (as are query parameters; the form wins), and {@code model} names the model.
 *
 * @param model      the model named by {@code ?model=} or a {@code model} field, or null
 * @param imageLabel the image part's file name (or "image"), for messages
 * @param image      the encoded image
 * @param texts      the text parts, in order
 * @param options    raw option values, as strings
 */
record MultimodalRequest(String model, String imageLabel, byte[] image, List<String> texts,
                         Map<String, Object> options) {
    static final String IMAGE_PART = "image";
    static final String TEXT_PART = "text";

    static MultimodalRequest parse(ServerRequest req, byte[] body) {
        Map<String, Object> options = new LinkedHashMap<>();
        String model = QueryOptions.into(req, options);
        if (body.length == 0) {
            throw new ServingException(ErrorKind.EMPTY_BODY, "the request has no body: " + expected());
        }
        HttpMediaType type = req.headers().contentType().orElseThrow(() -> new ServingException(
                ErrorKind.UNSUPPORTED_MEDIA_TYPE, "the request has no Content-Type; " + expected()));
        if (!type.mediaType().text().toLowerCase(Locale.ROOT).equals("multipart/form-data")) {
            throw new ServingException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "Content-Type "
                    + type.mediaType().text() + " is not accepted here; " + expected());
        }
        String imageLabel = null;
        byte[] image = null;
        List<String> texts = new ArrayList<>();
        for (MultipartParser.Part part : MultipartParser.parse(body, MultipartParser.boundary(type.text()))) {
            switch (part.name()) {
                case IMAGE_PART -> {
                    if (image != null) {
                        throw new ServingException(ErrorKind.BAD_REQUEST,
                                "the form has more than one 'image' part; send one image per request");
                    }
                    checkImagePart(part);
                    imageLabel = part.filename() == null || part.filename().isEmpty() ? IMAGE_PART : part.filename();
                    image = part.content();
                }
                case TEXT_PART -> texts.add(text(part, "part 'text' " + (texts.size() + 1)));
                case ImageRequest.MODEL_PARAM -> model = text(part, "part 'model'");
                default -> {
                    if (part.filename() != null) {
                        throw new ServingException(ErrorKind.BAD_REQUEST, "unexpected file part '" + part.name()
                                + "': the form takes one 'image' file, 'text' fields and option fields");
                    }
                    options.put(part.name(), text(part, "part '" + part.name() + "'"));
                }
            }
        }
        if (image == null) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "the form has no 'image' part; " + expected());
        }
        if (texts.isEmpty()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "the form has no 'text' part; " + expected());
        }
        return new MultimodalRequest(model, imageLabel, image, List.copyOf(texts), options);
    }

    private static String expected() {
        return "send multipart/form-data with an 'image' file part (" + ImageRequest.IMAGE_TYPE_LIST
                + ") and one or more 'text' fields, e.g. curl -F image=@photo.png -F text='a cat'";
    }

    private static void checkImagePart(MultipartParser.Part part) {
        if (!ImageRequest.mayHoldAnImage(part.contentType())) {
            throw new ServingException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "part 'image' has type " + part.contentType()
                    + ", not an accepted image type (" + ImageRequest.IMAGE_TYPE_LIST + ")");
        }
        if (part.content().length == 0) {
            throw new ServingException(ErrorKind.INVALID_IMAGE, "part 'image' is empty");
        }
    }

    /** A form field as text: no type or a text/* type, and valid UTF-8. */
    private static String text(MultipartParser.Part part, String what) {
        String type = part.contentType();
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("text/")) {
            throw new ServingException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, what + " has type " + type
                    + "; text fields must be plain text (no Content-Type, or text/plain)");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(part.content())).toString();
        } catch (CharacterCodingException e) {
            throw new ServingException(ErrorKind.BAD_REQUEST, what + " is not valid UTF-8");
        }
    }
}
