package dev.corral.host.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reading a JSON request body's fields, each failure naming the field and what it should be. */
final class JsonBody {
    private JsonBody() {
    }

    /**
     * @param shape what the object should hold, for the messages ("with \"image\" or \"images\"")
     * @throws ServingException EMPTY_BODY, INVALID_JSON (also for invalid UTF-8)
     */
    static ObjectNode object(byte[] body, String shape) {
        if (body.length == 0) {
            throw new ServingException(ErrorKind.EMPTY_BODY, "the request has no body: send a JSON object " + shape);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ServingException(ErrorKind.INVALID_JSON, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ServingException(ErrorKind.INVALID_JSON, "the body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new ServingException(ErrorKind.INVALID_JSON, "the JSON body must be an object " + shape);
        }
        return (ObjectNode) root;
    }

    /** A value as an option's raw value: numbers, booleans and strings as such, anything else as its JSON text. */
    static Object optionValue(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        return v.toString();
    }

    /** @throws ServingException BAD_REQUEST when the value is not a string */
    static String string(JsonNode v, String field) {
        if (v == null || !v.isTextual()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    /** Absent or null: null. @throws ServingException INVALID_OPTION when not an integer */
    static Integer integer(JsonNode v, String field) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ServingException(ErrorKind.INVALID_OPTION, field + ": expected an integer, found " + v);
        }
        return v.intValue();
    }

    /** Absent or null: {@code otherwise}. @throws ServingException BAD_REQUEST when not a boolean */
    static boolean bool(JsonNode v, String field, boolean otherwise) {
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"" + field + "\" must be true or false");
        }
        return v.booleanValue();
    }

    /** A string or a list of strings (absent or null: empty). @throws ServingException BAD_REQUEST otherwise */
    static List<String> strings(JsonNode v, String field) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.textValue());
            return out;
        }
        if (!v.isArray()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"" + field + "\" must be a string or a list of strings");
        }
        for (int i = 0; i < v.size(); i++) {
            out.add(string(v.get(i), field + "[" + i + "]"));
        }
        return out;
    }
}
