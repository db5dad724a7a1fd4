package dev.corral.host.error;

/**
 * Every failure a client can see: its HTTP status and the stable {@code error.code} string.
 * A 500 means a bug in Corral or in a plugin, never bad input.
 */
public enum ErrorKind {
    BAD_REQUEST(400, "bad_request"),
    EMPTY_BODY(400, "empty_body"),
    INVALID_IMAGE(400, "invalid_image"),
    INVALID_JSON(400, "invalid_json"),
    UNAUTHORIZED(401, "unauthorized"),
    NOT_FOUND(404, "not_found"),
    MODEL_NOT_FOUND(404, "model_not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large"),
    IMAGE_TOO_LARGE(413, "image_too_large"),
    TEXT_TOO_LONG(413, "text_too_long"),
    TOO_MANY_INPUTS(413, "too_many_inputs"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    INVALID_OPTION(422, "invalid_option"),
    INVALID_INPUT(422, "invalid_input"),
    INVALID_BUNDLE(422, "invalid_bundle"),
    TOO_MANY_GENERATIONS(429, "too_many_generations"),
    QUEUE_FULL(503, "queue_full"),
    MODEL_NOT_READY(503, "model_not_ready"),
    PLUGIN_DEADLINE_EXCEEDED(504, "plugin_deadline_exceeded"),
    PLUGIN_FAILED(500, "plugin_failed"),
    PLUGIN_ABI_VIOLATION(500, "plugin_abi_violation"),
    PLUGIN_LIMIT_EXCEEDED(500, "plugin_limit_exceeded"),
    PLUGIN_CAPABILITY_DENIED(500, "plugin_capability_denied"),
    INFERENCE_FAILED(500, "inference_failed"),
    INTERNAL(500, "internal");

    private final int status;
    private final String code;

    ErrorKind(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
