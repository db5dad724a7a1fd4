package dev.corral.host.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.generate.TokenEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A generation streamed as OpenAI's chunks: chat opens with the assistant's role; each step with
 * text is one chunk; the last chunk carries {@code finish_reason}; with
 * {@code stream_options.include_usage}, a chunk with no choices carries the usage.
 */
final class OpenAiChunks implements StreamFormat {
    private final OpenAiApi api;
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;

    OpenAiChunks(OpenAiApi api, String id, long created, String model, boolean includeUsage) {
        this.api = api;
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    @Override
    public List<String> start() {
        if (api != OpenAiApi.CHAT) {
            return List.of();
        }
        ObjectNode chunk = chunk("", null);
        ((ObjectNode) chunk.at("/choices/0/delta")).put("role", "assistant");
        return List.of(Json.text(chunk));
    }

    @Override
    public String token(TokenEvent event) {
        return event.text().isEmpty() ? null : Json.text(chunk(event.text(), null));
    }

    @Override
    public List<String> finish(GenerationResult result) {
        List<String> events = new ArrayList<>();
        events.add(Json.text(chunk(null, result.finishReason().wireName())));
        if (includeUsage) {
            ObjectNode usage = OpenAiResponses.object(id, api.chunkObject, created, model);
            usage.putArray("choices");
            usage.set("usage", TextResponses.usage(result.promptTokens(), result.completionTokens()));
            events.add(Json.text(usage));
        }
        return events;
    }

    @Override
    public String error(ServingException failure) {
        return Json.text(OpenAiResponses.error(failure));
    }

    /** @param text the step's text, or null for the last chunk */
    private ObjectNode chunk(String text, String finishReason) {
        ObjectNode chunk = OpenAiResponses.object(id, api.chunkObject, created, model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        if (api == OpenAiApi.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (text != null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text == null ? "" : text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return chunk;
    }
}
