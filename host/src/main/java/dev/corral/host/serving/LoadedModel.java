package dev.corral.host.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationRequest;
import dev.corral.host.generate.Generator;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.pipeline.Pipeline;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.tokenize.ModelTokenizer;
import dev.corral.registry.GenerationSpec;
import dev.corral.registry.InvalidOptionException;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.ModelTask;
import dev.corral.registry.RequestOptions;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One model version, loaded and warm: its manifest, its pipeline, the tokenizer it declares and,
 * for a text-generation model, its generator; and how its requests become tensors.
 */
public final class LoadedModel implements AutoCloseable {
    /** The most stop strings a request may give, and the longest one. */
    public static final int MAX_STOP_STRINGS = 4;
    public static final int MAX_STOP_CHARS = 256;
    private static final String SEED = "seed";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom SEEDS = new SecureRandom();

    private final ModelManifest manifest;
    private final Pipeline pipeline;
    private final ImageDecoder imageDecoder;
    private final ModelTokenizer tokenizer;
    private final Generator generator;
    private final ModelUsers users = new ModelUsers(this::close);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param tokenizer the model's tokenizer, or null; closed with the model
     * @param generator the token loops of a text-generation model, or null; closed with the model
     */
    LoadedModel(ModelManifest manifest, Pipeline pipeline, ImageDecoder imageDecoder, ModelTokenizer tokenizer,
                Generator generator) {
        this.manifest = manifest;
        this.pipeline = pipeline;
        this.imageDecoder = imageDecoder;
        this.tokenizer = tokenizer;
        this.generator = generator;
    }

    public String name() {
        return manifest.name();
    }

    public String version() {
        return manifest.version();
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public ModelTask task() {
        return manifest.task();
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** The model's tokenizer, or null when its manifest declares none. */
    public ModelTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The token loops of a text-generation model.
     *
     * @throws ServingException BAD_REQUEST when the model does not generate text
     */
    public Generator generator() {
        if (generator == null) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "model '" + name() + "' is a "
                    + task().wireName() + " model; it does not generate text");
        }
        return generator;
    }

    /** Checks a request's raw options against the options the manifest declares (422 otherwise). */
    public Parameters parseOptions(Map<String, Object> raw) {
        return Parameters.of(resolveOptions(raw));
    }

    private Map<String, Object> resolveOptions(Map<String, Object> raw) {
        try {
            return new LinkedHashMap<>(RequestOptions.resolve(manifest.options(), raw).values());
        } catch (InvalidOptionException e) {
            throw new ServingException(ErrorKind.INVALID_OPTION, e.getMessage());
        }
    }

    /** Decodes one encoded image and runs the pipeline on it. */
    public InferenceOutcome inferImage(byte[] encoded, String label, Parameters requestOptions) {
        StageTimings timings = new StageTimings();
        return run(Map.of(RequestTensors.IMAGE, decodeImage(encoded, label, timings)), requestOptions, timings);
    }

    /**
     * Decodes an image within the manifest's {@code max_pixels}, booked to the {@code decode} stage.
     *
     * @throws ServingException INVALID_IMAGE, IMAGE_TOO_LARGE
     */
    public Tensor decodeImage(byte[] encoded, String label, StageTimings timings) {
        return timings.time("decode", () -> imageDecoder.decode(encoded, label));
    }

    /**
     * The request tensors of an image and its texts: {@code image}, {@code text} (the first
     * text) and {@code texts} (all of them, as a text list), within the manifest's limits.
     *
     * @throws ServingException TOO_MANY_INPUTS, TEXT_TOO_LONG (413) naming the text part
     */
    public Map<String, Tensor> multimodalTensors(Tensor image, List<String> texts) {
        checkItemCount(texts.size(), "text parts");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(RequestTensors.IMAGE, image);
        for (int i = 0; i < texts.size(); i++) {
            Tensor text = textTensor(texts.get(i), "text part " + (i + 1));
            if (i == 0) {
                tensors.put(RequestTensors.TEXT, text);
            }
        }
        tensors.put(RequestTensors.TEXTS, RequestTensors.textList(texts));
        return tensors;
    }

    /** Runs the pipeline on tensors the caller already has (used by warm-up and benchmarks). */
    public InferenceOutcome run(Map<String, Tensor> inputs, Parameters requestOptions, StageTimings timings) {
        String json = pipeline.run(inputs, requestOptions, timings);
        return new InferenceOutcome(json, timings);
    }

    /**
     * Embeds each text, all at once so that the model's batcher can stack them; the result's
     * timings add up every text's stages.
     *
     * @throws ServingException TOO_MANY_INPUTS or TEXT_TOO_LONG (413) over the manifest's input
     *                          limits; the first failure among the texts, its message naming the input
     */
    public EmbeddingOutcome embed(List<String> texts, Parameters options) {
        List<Tensor> tensors = textTensors(texts);
        List<Future<InferenceOutcome>> pending = new ArrayList<>();
        try (ExecutorService perText = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Tensor text : tensors) {
                pending.add(perText.submit(() -> run(Map.of(RequestTensors.TEXT, text), options, new StageTimings())));
            }
            List<Embedding> embeddings = new ArrayList<>();
            StageTimings all = new StageTimings();
            for (int i = 0; i < pending.size(); i++) {
                InferenceOutcome outcome = await(pending.get(i), texts.size() == 1 ? "" : "input[" + i + "]: ");
                outcome.timings().asNanos().forEach(all::add);
                embeddings.add(embedding(outcome.resultJson()));
            }
            return new EmbeddingOutcome(embeddings, all);
        }
    }

    /**
     * A generation request checked against the manifest: {@code maxTokens} (null: the manifest's
     * default) within its cap, at most {@value #MAX_STOP_STRINGS} non-empty stop strings, the
     * options as declared, and a seed (the request's, or a fresh random one).
     *
     * @param prompt the request tensor ({@link RequestTensors#text} or {@link RequestTensors#messages})
     * @throws ServingException INVALID_OPTION naming the field; BAD_REQUEST when the model does not generate
     */
    public GenerationRequest generationRequest(Map<String, Tensor> prompt, Map<String, Object> rawOptions,
                                               Integer maxTokens, List<String> stop, boolean echo) {
        generator();
        GenerationSpec spec = manifest.generation();
        int tokens = maxTokens == null ? spec.defaultMaxTokens() : maxTokens;
        if (tokens < 1 || tokens > spec.maxTokens()) {
            throw new ServingException(ErrorKind.INVALID_OPTION, "max_tokens: expected an integer between 1 and "
                    + spec.maxTokens() + " (model '" + name() + "'), found " + maxTokens);
        }
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new ServingException(ErrorKind.INVALID_OPTION, "stop: at most " + MAX_STOP_STRINGS
                    + " strings, found " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty() || s.length() > MAX_STOP_CHARS) {
                throw new ServingException(ErrorKind.INVALID_OPTION, "stop: each string must be 1 to "
                        + MAX_STOP_CHARS + " characters, found one of " + s.length());
            }
        }
        Map<String, Object> options = resolveOptions(rawOptions);
        Object given = options.get(SEED);
        long seed = given instanceof Number n ? n.longValue() : SEEDS.nextLong() >>> 1;
        options.put(SEED, seed);
        return new GenerationRequest(prompt, Parameters.of(options), seed, tokens, stop, echo);
    }

    /**
     * The text as a request tensor, within the manifest's {@code max_text_bytes}.
     *
     * @throws ServingException TEXT_TOO_LONG
     */
    public Tensor textTensor(String text, String what) {
        int limit = manifest.input().maxTextBytes();
        Tensor tensor = RequestTensors.text(text);
        if (tensor.byteSize() > limit) {
            throw new ServingException(ErrorKind.TEXT_TOO_LONG, what + " is " + tensor.byteSize()
                    + " bytes of UTF-8; model '" + name() + "' takes at most " + limit);
        }
        return tensor;
    }

    /**
     * A prompt's request tensors: {@code messages} for a chat, else {@code text}, within the
     * manifest's {@code max_text_bytes}.
     *
     * @throws ServingException TEXT_TOO_LONG
     */
    public Map<String, Tensor> promptTensors(String prompt, List<ChatMessage> messages) {
        if (messages == null) {
            return Map.of(RequestTensors.TEXT, textTensor(prompt, "the prompt"));
        }
        Tensor chat = RequestTensors.messages(messages);
        if (chat.byteSize() > manifest.input().maxTextBytes()) {
            throw new ServingException(ErrorKind.TEXT_TOO_LONG, "the messages are " + chat.byteSize()
                    + " bytes with their roles; model '" + name() + "' takes at most " + manifest.input().maxTextBytes());
        }
        return Map.of(RequestTensors.MESSAGES, chat);
    }

    /** Each text's request tensor, once the list and every text are within the manifest's limits. */
    private List<Tensor> textTensors(List<String> texts) {
        if (texts.isEmpty()) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "\"input\" is an empty list; give at least one text");
        }
        checkItemCount(texts.size(), "texts");
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            tensors.add(textTensor(texts.get(i), texts.size() == 1 ? "the text" : "input[" + i + "]"));
        }
        return tensors;
    }

    /** @throws ServingException TOO_MANY_INPUTS over the manifest's {@code max_items} */
    private void checkItemCount(int count, String what) {
        if (count > manifest.input().maxItems()) {
            throw new ServingException(ErrorKind.TOO_MANY_INPUTS, count + " " + what + " in one request; model '"
                    + name() + "' takes at most " + manifest.input().maxItems());
        }
    }

    private Embedding embedding(String resultJson) {
        try {
            JsonNode root = JSON.readTree(resultJson);
            JsonNode values = root.get("embedding");
            if (values == null || !values.isArray() || values.isEmpty()) {
                throw new IOException("no \"embedding\" array");
            }
            float[] vector = new float[values.size()];
            for (int i = 0; i < vector.length; i++) {
                if (!values.get(i).isNumber()) {
                    throw new IOException("embedding[" + i + "] is not a number");
                }
                vector[i] = (float) values.get(i).doubleValue();
            }
            return new Embedding(vector, root.path("tokens").asInt(0));
        } catch (IOException e) {
            throw new ServingException(ErrorKind.PLUGIN_FAILED, "the post-processing of model '" + name()
                    + "' wrote a result that is not an embedding: " + e.getMessage());
        }
    }

    private static InferenceOutcome await(Future<InferenceOutcome> future, String which) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServingException(ErrorKind.INTERNAL, "interrupted while waiting for an embedding", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServingException s) {
                throw which.isEmpty() ? s : new ServingException(s.kind(), which + s.getMessage(), s.retryAfter(), s);
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The requests using this version (see {@link ModelManager#lease}). */
    ModelUsers users() {
        return users;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Closes the pipeline, generator and tokenizer; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (generator != null) {
            generator.close();
        }
        pipeline.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
