package dev.corral.host.http;

/** The two generating APIs of OpenAI's: what differs between them on the wire. */
enum OpenAiApi {
    /** {@code POST /v1/completions}: a prompt; the text in {@code choices[].text}. */
    COMPLETIONS("cmpl", "text_completion", "text_completion", "max_tokens"),
    /** {@code POST /v1/chat/completions}: messages; the text in {@code message} / {@code delta}. */
    CHAT("chatcmpl", "chat.completion", "chat.completion.chunk", "max_completion_tokens");

    final String idPrefix;
    final String object;
    final String chunkObject;
    /** The field that bounds the answer (chat also takes the older {@code max_tokens}). */
    final String maxTokensField;

    OpenAiApi(String idPrefix, String object, String chunkObject, String maxTokensField) {
        this.idPrefix = idPrefix;
        this.object = object;
        this.chunkObject = chunkObject;
        this.maxTokensField = maxTokensField;
    }
}
