package dev.corral.host.generate;

/** Why a generation ended. */
public enum FinishReason {
    /** The model wrote an end-of-sequence token, or the text reached a stop string. */
    STOP,
    /** {@code max_tokens} or the model's context length was reached. */
    LENGTH,
    /** The client went away; the loop stopped at its next token. */
    CANCELLED;

    /** The name in responses: {@code stop}, {@code length}, {@code cancelled}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
