package dev.corral.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    private static final int MAX_OUTPUT_BYTES = 1 << 30;

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
        if (!c.object(true, "name", "version", "task", "description", "files", "input", "pipeline", "options",
                "engine", "limits")) {
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
        Set<String> roles = fileEntries.keySet();
        InputSpec input = input(c.field("input"));
        List<PipelineStep> pipeline = pipeline(c.field("pipeline"), roles);
        Map<String, OptionSpec> options = options(c.field("options"));
        EngineSpec engine = engine(c.field("engine"));
        Limits limits = limits(c.field("limits"));
        if (!problems.isEmpty()) {
            return null;
        }
        return new ModelManifest(file, name, version, task, description, files, input, pipeline, options, engine,
                limits);
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
        if (!c.object(true, "kind", "max_pixels")) {
            return null;
        }
        InputSpec.Kind kind = c.field("kind").choice(true, INPUT_KINDS, null);
        Long maxPixels = c.field("max_pixels").integer(false, 1, Long.MAX_VALUE, InputSpec.DEFAULT_MAX_PIXELS);
        return kind == null || maxPixels == null ? null : new InputSpec(kind, maxPixels);
    }

    private List<PipelineStep> pipeline(JsonCursor c, Set<String> roles) {
        List<JsonCursor> elements = c.elements(true);
        if (c.present() && c.node().isArray() && elements.isEmpty()) {
            c.problem("expected at least one step, found an empty list");
        }
        List<PipelineStep> steps = new ArrayList<>();
        Map<String, String> namedAt = new HashMap<>();
        boolean runsModel = false;
        for (JsonCursor s : elements) {
            runsModel |= s.present() && s.node().isObject() && s.field("model").present();
            PipelineStep step = step(s, roles);
            if (step == null) {
                continue;
            }
            String earlier = namedAt.putIfAbsent(step.name(), s.path());
            if (earlier != null) {
                s.field("name").problem("duplicate step name '" + step.name() + "' (also the name of " + earlier
                        + "; give each step its own \"name\")");
            }
            steps.add(step);
        }
        if (!elements.isEmpty() && !runsModel) {
            c.problem("no step runs a model (add a step {\"model\": \"ROLE\"} naming the model's file role)");
        }
        return steps;
    }

    private PipelineStep step(JsonCursor s, Set<String> roles) {
        if (!s.object(true, "name", "plugin", "model", "entry", "config", "limits")) {
            return null;
        }
        JsonCursor plugin = s.field("plugin");
        JsonCursor model = s.field("model");
        if (plugin.present() == model.present()) {
            s.problem(plugin.present()
                    ? "a step runs either a \"plugin\" or a \"model\", not both"
                    : "missing \"plugin\" or \"model\" (a step runs one of them)");
            return null;
        }
        int mark = problems.mark();
        if (model.present()) {
            for (String pluginOnly : List.of("entry", "config", "limits")) {
                if (s.field(pluginOnly).present()) {
                    s.field(pluginOnly).problem("applies only to plugin steps (this step runs a model)");
                }
            }
            String role = role(model, roles);
            String name = s.field("name").string(false, role);
            return problems.since(mark) ? null : new ModelStep(name, role);
        }
        PluginRef ref = pluginRef(plugin);
        String name = s.field("name").string(false, ref == null ? null : defaultName(ref));
        String entry = s.field("entry").string(false, PluginStep.DEFAULT_ENTRY);
        Map<String, Object> config = config(s.field("config"), roles);
        Limits limits = limits(s.field("limits"));
        return problems.since(mark) ? null : new PluginStep(name, ref, entry, config, limits);
    }

    private PluginRef pluginRef(JsonCursor c) {
        if (c.node().isObject()) {
            if (!c.object(true, "path", "sha256")) {
                return null;
            }
            String path = c.field("path").relativePath(true);
            if (!c.field("sha256").present()) {
                c.problem("third-party plugin" + (path == null ? "" : " '" + path + "'")
                        + " is not pinned: add \"sha256\" with the sha256 of its .wasm file (an unpinned plugin is refused)");
                return null;
            }
            String sha256 = c.field("sha256").string(true, Sha256.PATTERN, SHA256_RULE);
            return path == null || sha256 == null ? null : new PluginRef.ThirdParty(path, sha256);
        }
        if (!c.node().isTextual()) {
            c.expected("a built-in plugin's name or a third-party plugin {\"path\": \"….wasm\", \"sha256\": \"…\"}");
            return null;
        }
        String name = c.string(true, NAME, "a built-in plugin's name (" + NAME_RULE + ")");
        return name == null ? null : new PluginRef.Builtin(name);
    }

    private static String defaultName(PluginRef ref) {
        return switch (ref) {
            case PluginRef.Builtin builtin -> builtin.name();
            case PluginRef.ThirdParty thirdParty -> {
                String fileName = thirdParty.path().substring(thirdParty.path().lastIndexOf('/') + 1);
                yield fileName.endsWith(".wasm") ? fileName.substring(0, fileName.length() - ".wasm".length()) : fileName;
            }
        };
    }

    private Map<String, Object> config(JsonCursor c, Set<String> roles) {
        Map<String, Object> config = new LinkedHashMap<>();
        c.entries(false).forEach((key, value) -> {
            JsonNode node = value.node();
            boolean fileReference = node != null && node.isObject() && node.size() == 1 && node.has("file");
            Object plain = fileReference ? fileValue(value, roles) : value.plain();
            if (plain != null) {
                config.put(key, plain);
            }
        });
        return Collections.unmodifiableMap(config);
    }

    private FileValue fileValue(JsonCursor c, Set<String> roles) {
        String role = c.field("file").string(true, null);
        if (role == null) {
            return null;
        }
        if (!roles.contains(role)) {
            c.problem(unknownRole(role, roles));
            return null;
        }
        return new FileValue(role);
    }

    private String role(JsonCursor c, Set<String> roles) {
        String role = c.string(true, null);
        if (role != null && !roles.contains(role)) {
            c.problem(unknownRole(role, roles));
            return null;
        }
        return role;
    }

    private static String unknownRole(String role, Set<String> roles) {
        return "file role '" + role + "' is not in \"files\" (roles: "
                + (roles.isEmpty() ? "none" : String.join(", ", roles)) + ")";
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
        if (b.object(false, "max_batch_size", "max_queue_delay_ms")) {
            Integer maxBatchSize = b.field("max_batch_size").intValue(true, 1, Integer.MAX_VALUE, null);
            Integer maxQueueDelayMs = b.field("max_queue_delay_ms").intValue(false, 0, Integer.MAX_VALUE, 0);
            if (maxBatchSize != null && maxQueueDelayMs != null) {
                batching = new EngineSpec.Batching(maxBatchSize, maxQueueDelayMs);
            }
        }
        Integer queue = c.field("max_queue_size").intValue(false, 1, Integer.MAX_VALUE,
                EngineSpec.DEFAULT_MAX_QUEUE_SIZE);
        if (device == null || fallback == null || threads == null || queue == null) {
            return null;
        }
        return new EngineSpec(device, fallback, threads, batching, queue);
    }

    private Limits limits(JsonCursor c) {
        if (!c.object(false, "deadline_ms", "max_memory_pages", "max_output_bytes", "max_instances")) {
            return c.present() ? null : Limits.NONE;
        }
        return new Limits(
                c.field("deadline_ms").intValue(false, 1, 60_000, null),
                c.field("max_memory_pages").intValue(false, 1, 16_384, null),
                c.field("max_output_bytes").intValue(false, 1, MAX_OUTPUT_BYTES, null),
                c.field("max_instances").intValue(false, 1, 64, null));
    }

    private static <E> Map<String, E> byWireName(E[] values, Function<E, String> wireName) {
        return Stream.of(values).collect(Collectors.toUnmodifiableMap(wireName, v -> v));
    }
}
