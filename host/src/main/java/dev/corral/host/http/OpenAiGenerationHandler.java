package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationRequest;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelLease;
import dev.corral.host.serving.ModelManager;
import dev.corral.host.tensor.Tensor;
import dev.corral.registry.ModelTask;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}, whole or streamed
 * ({@code stream: true}). A chat's messages go to the model's prompt plugin, which renders them
 * with its template.
 */
final class OpenAiGenerationHandler implements Handler {
    /** OpenAI's default for completions; chat's default is the model's own. */
    private static final int COMPLETIONS_MAX_TOKENS = 16;

    private final OpenAiApi api;
    private final ModelManager models;
    private final long maxBodyBytes;
    private final GenerationStreamer streamer;

    OpenAiGenerationHandler(OpenAiApi api, ModelManager models, long maxBodyBytes, GenerationStreamer streamer) {
        this.api = api;
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
        this.streamer = streamer;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        OpenAiRequest request = OpenAiRequest.parse(RequestBody.read(req, maxBodyBytes), api.maxTokensField);
        try (ModelLease lease = models.lease(request.model(), ModelTask.TEXT_GENERATION)) {
            serve(lease.model(), request, res);
        }
    }

    private void serve(LoadedModel model, OpenAiRequest request, ServerResponse res) {
        Map<String, Tensor> prompt = api == OpenAiApi.CHAT
                ? model.promptTensors(null, TextRequest.messages(request.body().get("messages")))
                : model.promptTensors(prompt(request.body()), null);
        Integer maxTokens = request.maxTokens() == null && api == OpenAiApi.COMPLETIONS
                ? Integer.valueOf(COMPLETIONS_MAX_TOKENS) : request.maxTokens();
        boolean echo = api == OpenAiApi.COMPLETIONS && JsonBody.bool(request.body().get("echo"), "echo", false);
        GenerationRequest generation = model.generationRequest(prompt,
                request.optionsDeclaredBy(model.manifest().options().keySet()), maxTokens, request.stop(), echo);
        String id = OpenAiResponses.id(api.idPrefix);
        long created = OpenAiResponses.now();
        if (request.stream()) {
            streamer.stream(model.generator(), generation, res,
                    new OpenAiChunks(api, id, created, model.name(), request.includeUsage()));
            return;
        }
        GenerationResult result = model.generator().generate(generation);
        ObjectNode body = OpenAiResponses.object(id, api.object, created, model.name());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        if (api == OpenAiApi.CHAT) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", result.text());
        } else {
            choice.put("text", result.text());
        }
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
}
