package dev.corral.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads and validates model manifests. Every problem of a manifest is reported at once, each
 * naming the JSON path of the field, what was expected and what was found; unknown fields are
 * problems too, since they are most often typos.
 */
public final class ManifestParser {
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String NAME_RULE = "a name of 1 to 64 characters from a-z, 0-9, '.', '_', '-', starting with a letter or digit";
    static final String SHA256_RULE = "a sha256 (64 lower-case hex digits)";
    private static final Pattern OPTION_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");

    private static final Map<String, ModelTask> TASKS = byWireName(ModelTask.values(), ModelTask::wireName);
    private static final Map<String, InputSpec.Kind> INPUT_KINDS =
            byWireName(InputSpec.Kind.values(), InputSpec.Kind::wireName);
    private static final Map<String, EngineSpec.Device> DEVICES =
            byWireName(EngineSpec.Device.values(), EngineSpec.Device::wireName);
    private static final Map<String, OptionSpec.Type> OPTION_TYPES =
            byWireName(OptionSpec.Type.values(), OptionSpec.Type::wireName);

    private final Path file;
    private final Problems problems = new Problems();

    private ManifestParser(Path file) {
        this.file = file;
    }

    /**
     * Reads and validates a manifest file.
     *
     * @throws ManifestException listing every problem (including an unreadable file or broken JSON)
     */
    public static ModelManifest parse(Path file) throws ManifestException {
        ManifestParser parser = new ManifestParser(file);
        String json = JsonDocument.readText(file, parser.problems);
        return parser.result(json == null ? null : parser.manifest(json));
    }

    /**
     * Validates a manifest's text as if read from {@code file}: the file's folder must still carry
     * the model's name, and messages name {@code file}.
     *
     * @throws ManifestException listing every problem
     */
    public static ModelManifest parse(Path file, String json) throws ManifestException {
        ManifestParser parser = new ManifestParser(file);
        return parser.result(parser.manifest(json));
    }

    private ModelManifest result(ModelManifest manifest) throws ManifestException {
        if (!problems.isEmpty()) {
            throw new ManifestException(file, problems.lines());
        }
        return manifest;
    }

    private ModelManifest manifest(String json) {
        JsonNode root = JsonDocument.parse(json, problems);
        if (root == null) {
            return null;
        }
        JsonCursor c = JsonCursor.root(root, problems);
        if (!c.object(true, "name", "version", "task", "description", "files", "input", "tokenizer", "pipeline",
                "generation", "options", "engine", "limits")) {
            return null;
        }
        String name = c.field("name").string(true, NAME, NAME_RULE);
        String folder = folderName();
        if (name != null && !name.equals(folder)) {
            c.field("name").problem("'" + name + "' differs from the name of the manifest's folder '" + folder
                    + "' (they must match)");
        }
        String version = c.field("version").string(true, null);
        ModelTask task = c.field("task").choice(true, TASKS, null);
        String description = c.field("description").string(false, "");
        JsonCursor filesField = c.field("files");
        Map<String, JsonCursor> fileEntries = filesField.entries(true);
        Map<String, ModelFile> files = files(filesField, fileEntries);
        StepReader steps = new StepReader(problems, fileEntries.keySet(), c.field("tokenizer").present());
        InputSpec input = input(c.field("input"));
        TokenizerSpec tokenizer = tokenizer(c.field("tokenizer"), task, steps);
        Map<String, String> stepPaths = new HashMap<>();
        List<PipelineStep> pipeline = pipeline(c.field("pipeline"), task, steps, stepPaths);
        GenerationSpec generation = generation(c.field("generation"), task, steps, stepPaths);
        Map<String, OptionSpec> options = options(c.field("options"));
        EngineSpec engine = engine(c.field("engine"));
        Limits limits = StepReader.limits(c.field("limits"));
        if (!problems.isEmpty()) {
            return null;
        }
        return new ModelManifest(file, name, version, task, description, files, input, pipeline, options, engine,
                limits, tokenizer, generation);
    }

    private String folderName() {
        Path folder = file.toAbsolutePath().normalize().getParent();
        return folder == null || folder.getFileName() == null ? "" : folder.getFileName().toString();
    }

    /** The valid files; {@code entries} are all the roles, so that a broken file still counts as declared. */
    private Map<String, ModelFile> files(JsonCursor c, Map<String, JsonCursor> entries) {
        Map<String, ModelFile> files = new LinkedHashMap<>();
        if (c.present() && c.node().isObject() && entries.isEmpty()) {
            c.problem("expected at least one file, found none");
        }
        entries.forEach((role, f) -> {
            int mark = problems.mark();
            if (f.object(true, "path", "sha256")) {
                String path = f.field("path").relativePath(true);
                String sha256 = f.field("sha256").string(true, Sha256.PATTERN, SHA256_RULE);
                if (!problems.since(mark)) {
                    files.put(role, new ModelFile(role, path, sha256));
                }
            }
        });
        return files;
    }

    private InputSpec input(JsonCursor c) {
        if (!c.object(true, "kind", "max_pixels", "max_text_bytes", "max_items")) {
            return null;
        }
        InputSpec.Kind kind = c.field("kind").choice(true, INPUT_KINDS, null);
        if (kind != null) {
            onlyFor(c.field("max_pixels"), kind.takesImages(), "image and multimodal", kind);
            onlyFor(c.field("max_text_bytes"), kind.takesText(), "text and multimodal", kind);
            onlyFor(c.field("max_items"), kind.takesText(), "text and multimodal", kind);
        }
        Long maxPixels = c.field("max_pixels").integer(false, 1, Long.MAX_VALUE, InputSpec.DEFAULT_MAX_PIXELS);
        Integer maxTextBytes = c.field("max_text_bytes").intValue(false, 1, InputSpec.MAX_TEXT_BYTES,
                InputSpec.DEFAULT_MAX_TEXT_BYTES);
        Integer maxItems = c.field("max_items").intValue(false, 1, InputSpec.MAX_ITEMS, InputSpec.DEFAULT_MAX_ITEMS);
        if (kind == null || maxPixels == null || maxTextBytes == null || maxItems == null) {
            return null;
        }
        return new InputSpec(kind, maxPixels, maxTextBytes, maxItems);
    }

    private static void onlyFor(JsonCursor field, boolean applies, String kinds, InputSpec.Kind kind) {
        if (field.present() && !applies) {
            field.problem("applies only to " + kinds + " inputs (this input's kind is " + kind.wireName() + ")");
        }
    }

    private TokenizerSpec tokenizer(JsonCursor c, ModelTask task, StepReader steps) {
        if (task == ModelTask.TEXT_GENERATION && !c.present()) {
            c.problem("missing (expected {\"file\": \"ROLE\"} naming the tokenizer.json file's role: a"
                    + " text-generation model needs its tokenizer to turn generated ids into text)");
            return null;
        }
        if (!c.object(false, "file")) {
            return null;
        }
        String role = steps.role(c.field("file"));
        return role == null ? null : new TokenizerSpec(role);
    }

    /**
     * The pipeline's steps. A text-generation pipeline only prepares the prompt, since the model
     * runs in the host's token loop; every other pipeline runs a model.
     *
     * @param stepPaths filled with each step's name → its JSON path, for unique names
     */
    private List<PipelineStep> pipeline(JsonCursor c, ModelTask task, StepReader reader,
                                        Map<String, String> stepPaths) {
        List<JsonCursor> elements = c.elements(true);
        if (c.present() && c.node().isArray() && elements.isEmpty()) {
            c.problem("expected at least one step, found an empty list");
        }
        List<PipelineStep> steps = new ArrayList<>();
        boolean runsModel = false;
        for (JsonCursor s : elements) {
            boolean modelStep = s.present() && s.node().isObject() && s.field("model").present();
            runsModel |= modelStep;
            if (modelStep && task == ModelTask.TEXT_GENERATION) {
                s.field("model").problem("a text-generation pipeline holds only plugin steps (the model runs in the"
                        + " host's token loop: name its role in generation.model)");
            }
            PipelineStep step = reader.step(s);
            if (step != null) {
                uniqueName(step.name(), s, stepPaths);
                steps.add(step);
            }
        }
        if (!elements.isEmpty() && !runsModel && task != null && task != ModelTask.TEXT_GENERATION) {
            c.problem("no step runs a model (add a step {\"model\": \"ROLE\"} naming the model's file role)");
        }
        return steps;
    }

    private static void uniqueName(String name, JsonCursor step, Map<String, String> stepPaths) {
        String earlier = stepPaths.putIfAbsent(name, step.path());
        if (earlier != null) {
            step.field("name").problem("duplicate step name '" + name + "' (also the name of " + earlier
                    + "; give each step its own \"name\")");
        }
    }

    /** Required for text generation, refused for every other task (unless the task itself is invalid). */
    private GenerationSpec generation(JsonCursor c, ModelTask task, StepReader steps, Map<String, String> stepPaths) {
        if (task != null && task != ModelTask.TEXT_GENERATION) {
            if (c.present()) {
                c.problem("applies only to task text-generation (this model's task is " + task.wireName() + ")");
            }
            return null;
        }
        if (!c.object(task != null, "model", "sampler", "max_tokens", "default_max_tokens", "context_length",
                "eos_token_ids", "max_concurrent")) {
            return null;
        }
        int mark = problems.mark();
        String model = steps.role(c.field("model"));
        PluginStep sampler = steps.sampler(c.field("sampler"));
        if (sampler != null) {
            uniqueName(sampler.name(), c.field("sampler"), stepPaths);
        }
        Integer contextLength = c.field("context_length").intValue(true, 2, Integer.MAX_VALUE, null);
        Integer maxTokens = c.field("max_tokens").intValue(true, 1, Integer.MAX_VALUE, null);
        if (maxTokens != null && contextLength != null && maxTokens >= contextLength) {
            c.field("max_tokens").expected("an integer between 1 and context_length - 1 (" + (contextLength - 1)
                    + "; the prompt takes at least one position of the context)");
        }
        Integer defaultMaxTokens = c.field("default_max_tokens").intValue(false, 1, Integer.MAX_VALUE, maxTokens);
        if (defaultMaxTokens != null && maxTokens != null && defaultMaxTokens > maxTokens) {
            c.field("default_max_tokens").expected("an integer between 1 and max_tokens (" + maxTokens + ")");
        }
        List<Integer> eosTokenIds = tokenIds(c.field("eos_token_ids"));
        Integer maxConcurrent = c.field("max_concurrent").intValue(false, 1, GenerationSpec.MAX_CONCURRENT,
                GenerationSpec.DEFAULT_MAX_CONCURRENT);
        if (problems.since(mark)) {
            return null;
        }
        return new GenerationSpec(model, sampler, maxTokens, defaultMaxTokens, contextLength, eosTokenIds,
                maxConcurrent);
    }

    private List<Integer> tokenIds(JsonCursor c) {
        List<JsonCursor> elements = c.elements(true);
        if (c.present() && c.node().isArray() && elements.isEmpty()) {
            c.problem("expected at least one token id, found an empty list");
        }
        List<Integer> ids = new ArrayList<>();
        for (JsonCursor element : elements) {
            Integer id = element.intValue(true, 0, Integer.MAX_VALUE, null);
            if (id != null && ids.contains(id)) {
                element.problem("token id " + id + " is listed twice");
            }
            ids.add(id);
        }
        return ids;
    }

    private Map<String, OptionSpec> options(JsonCursor c) {
        Map<String, OptionSpec> options = new LinkedHashMap<>();
        c.entries(false).forEach((name, o) -> {
            if (!OPTION_NAME.matcher(name).matches()) {
                o.problem("an option's name has 1 to 64 characters from letters, digits, '_', '.', '-', "
                        + "starting with a letter or '_'");
            }
            OptionSpec option = option(name, o);
            if (option != null) {
                options.put(name, option);
            }
        });
        return options;
    }

    private OptionSpec option(String name, JsonCursor c) {
        if (!c.object(true, "type", "min", "max", "default", "enum", "description")) {
            return null;
        }
        int mark = problems.mark();
        OptionSpec.Type type = c.field("type").choice(true, OPTION_TYPES, null);
        String description = c.field("description").string(false, "");
        if (type == null) {
            return null;
        }
        Number min = bound(c.field("min"), type);
        Number max = bound(c.field("max"), type);
        if (min != null && max != null && min.doubleValue() > max.doubleValue()) {
            c.field("max").problem("max (" + max + ") is less than min (" + min + ")");
        }
        OptionSpec ranged = new OptionSpec(name, type, min, max, null, List.of(), description);
        List<Object> allowed = new ArrayList<>();
        JsonCursor enumField = c.field("enum");
        List<JsonCursor> enumValues = enumField.elements(false);
        if (enumField.present() && enumField.node().isArray() && enumValues.isEmpty()) {
            enumField.problem("expected at least one value, found an empty list");
        }
        for (JsonCursor value : enumValues) {
            Object typed = typed(value, type);
            if (typed != null && !ranged.accepts(typed)) {
                value.expected(ranged.expectation());
            }
            allowed.add(typed);
        }
        if (problems.since(mark)) {
            return null;
        }
        OptionSpec declared = new OptionSpec(name, type, min, max, null, allowed, description);
        Object defaultValue = c.field("default").present() ? typed(c.field("default"), type) : null;
        if (defaultValue != null && !declared.accepts(defaultValue)) {
            c.field("default").expected(declared.expectation());
        }
        return problems.since(mark) ? null
                : new OptionSpec(name, type, min, max, defaultValue, allowed, description);
    }

    private static Number bound(JsonCursor c, OptionSpec.Type type) {
        if (!c.present()) {
            return null;
        }
        if (type != OptionSpec.Type.INTEGER && type != OptionSpec.Type.NUMBER) {
            c.problem("applies only to integer and number options (this option's type is " + type.wireName() + ")");
            return null;
        }
        return (Number) typed(c, type);
    }

    /** A manifest's value of an option's type: strict JSON types, no parsing of text. */
    private static Object typed(JsonCursor c, OptionSpec.Type type) {
        JsonNode node = c.node();
        Object value = switch (type) {
            case INTEGER -> node != null && node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : null;
            case NUMBER -> node != null && node.isNumber() ? node.doubleValue() : null;
            case STRING -> node != null && node.isTextual() ? node.textValue() : null;
            case BOOLEAN -> node != null && node.isBoolean() ? node.booleanValue() : null;
        };
        if (value == null) {
            c.expected(type.inWords());
        }
        return value;
    }

    private EngineSpec engine(JsonCursor c) {
        if (!c.object(false, "device", "allow_cpu_fallback", "intra_op_threads", "batching", "max_queue_size")) {
            return c.present() ? null : EngineSpec.DEFAULT;
        }
        EngineSpec.Device device = c.field("device").choice(false, DEVICES, EngineSpec.DEFAULT.device());
        Boolean fallback = c.field("allow_cpu_fallback").bool(EngineSpec.DEFAULT.allowCpuFallback());
        Integer threads = c.field("intra_op_threads").intValue(false, 1, Integer.MAX_VALUE,
                EngineSpec.DEFAULT.intraOpThreads());
        JsonCursor b = c.field("batching");
        EngineSpec.Batching batching = null;
        if (b.object(false, "max_batch_size", "max_queue_delay_ms", "padding")) {
            Integer maxBatchSize = b.field("max_batch_size").intValue(true, 1, Integer.MAX_VALUE, null);
            Integer maxQueueDelayMs = b.field("max_queue_delay_ms").intValue(false, 0, Integer.MAX_VALUE, 0);
            EngineSpec.Batching.Padding padding = padding(b.field("padding"));
            if (maxBatchSize != null && maxQueueDelayMs != null) {
                batching = new EngineSpec.Batching(maxBatchSize, maxQueueDelayMs, padding);
            }
        }
        Integer queue = c.field("max_queue_size").intValue(false, 1, Integer.MAX_VALUE,
                EngineSpec.DEFAULT_MAX_QUEUE_SIZE);
        if (device == null || fallback == null || threads == null || queue == null) {
            return null;
        }
        return new EngineSpec(device, fallback, threads, batching, queue);
    }

    /** Padding of sequences on axis 1, or {@code null} when absent. */
    private EngineSpec.Batching.Padding padding(JsonCursor c) {
        if (!c.object(false, "inputs", "outputs")) {
            return null;
        }
        int mark = problems.mark();
        JsonCursor inputsField = c.field("inputs");
        Map<String, JsonCursor> entries = inputsField.entries(true);
        if (inputsField.present() && inputsField.node().isObject() && entries.isEmpty()) {
            inputsField.problem("expected at least one input name → the value its padding holds, found none");
        }
        Map<String, Long> inputs = new LinkedHashMap<>();
        entries.forEach((input, value) -> {
            if (value.node() == null || !value.node().isIntegralNumber() || !value.node().canConvertToLong()) {
                value.expected("an integer (the value the input's padding positions hold)");
            } else {
                inputs.put(input, value.node().longValue());
            }
        });
        List<String> outputs = new ArrayList<>();
        for (JsonCursor element : c.field("outputs").elements(false)) {
            String output = element.string(true, null);
            if (output != null && outputs.contains(output)) {
                element.problem("'" + output + "' is listed twice");
            }
            outputs.add(output);
        }
        return problems.since(mark) ? null : new EngineSpec.Batching.Padding(inputs, outputs);
    }

    static <E> Map<String, E> byWireName(E[] values, Function<E, String> wireName) {
        return Stream.of(values).collect(Collectors.toUnmodifiableMap(wireName, v -> v));
    }
}
