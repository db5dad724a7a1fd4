package dev.corral.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationRequest;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.generate.TokenEvent;
import dev.corral.host.serving.ChatMessage;
import dev.corral.host.serving.LoadedModel;
import dev.corral.host.serving.ModelManager;
import dev.corral.registry.ModelTask;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}, whole or streamed as OpenAI's chunks. The model's prompt
 * plugin renders the messages with its template.
 */
final class OpenAiChatHandler implements Handler {
    private static final String CHUNK = "chat.completion.chunk";

    private final ModelManager models;
    private final long maxBodyBytes;
    private final GenerationStreamer streamer;

    OpenAiChatHandler(ModelManager models, long maxBodyBytes, GenerationStreamer streamer) {
        this.models = models;
        this.maxBodyBytes = maxBodyBytes;
        this.streamer = streamer;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        OpenAiRequest request = OpenAiRequest.parse(RequestBody.read(req, maxBodyBytes), "max_completion_tokens");
        LoadedModel model = models.resolve(request.model(), ModelTask.TEXT_GENERATION);
        GenerationRequest generation = model.generationRequest(model.promptTensors(null, messages(request.body())),
                request.optionsDeclaredBy(model.manifest().options().keySet()), request.maxTokens(), request.stop(), false);
        String id = OpenAiResponses.id("chatcmpl");
        long created = OpenAiResponses.now();
        if (request.stream()) {
            streamer.stream(model.generator(), generation, res, new Chunks(id, created, model.name(), request.includeUsage()));
            return;
        }
        GenerationResult result = model.generator().generate(generation);
        ObjectNode body = OpenAiResponses.object(id, "chat.completion", created, model.name());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", result.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", result.finishReason().wireName());
        body.set("usage", TextResponses.usage(result.promptTokens(), result.completionTokens()));
        Json.send(res, 200, body);
    }

    private static List<ChatMessage> messages(JsonNode body) {
        JsonNode list = body.get("messages");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"messages\" must be a non-empty list");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            String role = JsonBody.string(m.get("role"), "messages[" + i + "].role");
            // OpenAI's newer name for the system role.
            messages.add(new ChatMessage(role.equals("developer") ? "system" : role,
                    TextRequest.content(m.get("content"), "messages[" + i + "].content")));
        }
        return messages;
    }

    private record Chunks(String id, long created, String model, boolean includeUsage) implements StreamFormat {
        @Override
        public List<String> start() {
            ObjectNode delta = Json.object();
            delta.put("role", "assistant");
            delta.put("content", "");
            return List.of(Json.text(chunk(delta, null)));
        }

        @Override
        public String token(TokenEvent event) {
            if (event.text().isEmpty()) {
                return null;
            }
            ObjectNode delta = Json.object();
            delta.put("content", event.text());
            return Json.text(chunk(delta, null));
        }

        @Override
        public List<String> finish(GenerationResult result) {
            List<String> events = new ArrayList<>();
            events.add(Json.text(chunk(Json.object(), result.finishReason().wireName())));
            if (includeUsage) {
                ObjectNode usage = OpenAiResponses.object(id, CHUNK, created, model);
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

        private ObjectNode chunk(ObjectNode delta, String finishReason) {
            ObjectNode chunk = OpenAiResponses.object(id, CHUNK, created, model);
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            return chunk;
        }
    }
}
