package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationRequest;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.generate.TokenEvent;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelManager;
import dev.corral.registry.ModelTask;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/completions}, whole or streamed ({@code stream: true}) as OpenAI's chunks. */
final class OpenAiCompletionsHandler implements Handler {
    /** OpenAI's default for completions. */
    private static final int DEFAULT_MAX_TOKENS = 16;

    private final ModelManager models;
    private final long maxBodyBytes;
    private final GenerationStreamer streamer;

    OpenAiCompletionsHandler(ModelManager models, long maxBodyBytes, GenerationStreamer streamer) {
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
        this.streamer = streamer;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        OpenAiRequest request = OpenAiRequest.parse(RequestBody.read(req, maxBodyBytes), "max_tokens");
        LoadedModel model = models.resolve(request.model(), ModelTask.TEXT_GENERATION);
        boolean echo = JsonBody.bool(request.body().get("echo"), "echo", false);
        GenerationRequest generation = model.generationRequest(model.promptTensors(prompt(request.body()), null),
                request.optionsDeclaredBy(model.manifest().options().keySet()),
                request.maxTokens() == null ? Integer.valueOf(DEFAULT_MAX_TOKENS) : request.maxTokens(),
                request.stop(), echo);
        String id = OpenAiResponses.id("cmpl");
        long created = OpenAiResponses.now();
        if (request.stream()) {
            streamer.stream(model.generator(), generation, res, new Chunks(id, created, model.name(), request.includeUsage()));
            return;
        }
        GenerationResult result = model.generator().generate(generation);
        ObjectNode body = OpenAiResponses.object(id, "text_completion", created, model.name());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("text", result.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", result.finishReason().wireName());
        body.set("usage", TextResponses.usage(result.promptTokens(), result.completionTokens()));
        Json.send(res, 200, body);
    }

    /** A string, or a list holding one string (lists of token ids are not taken). */
    private static String prompt(JsonNode body) {
        JsonNode p = body.get("prompt");
        if (p != null && p.isArray()) {
            if (p.size() != 1 || !p.get(0).isTextual()) {
                throw new ServingException(ErrorKind.BAD_REQUEST, "\"prompt\" must be a string or a list of one"
                        + " string; batches of prompts and token-id prompts are not supported");
            }
            return p.get(0).textValue();
        }
        return JsonBody.string(p, "prompt");
    }

    private record Chunks(String id, long created, String model, boolean includeUsage) implements StreamFormat {
        @Override
        public String token(TokenEvent event) {
            return event.text().isEmpty() ? null : Json.text(chunk(event.text(), null));
        }

        @Override
        public List<String> finish(GenerationResult result) {
            List<String> events = new ArrayList<>();
            events.add(Json.text(chunk("", result.finishReason().wireName())));
            if (includeUsage) {
                ObjectNode usage = OpenAiResponses.object(id, "text_completion", created, model);
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

        private ObjectNode chunk(String text, String finishReason) {
            ObjectNode chunk = OpenAiResponses.object(id, "text_completion", created, model);
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.put("index", 0);
            choice.put("text", text);
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            return chunk;
        }
    }
}
