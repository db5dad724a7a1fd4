package dev.corral.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the steps of one manifest (the pipeline's and the generation's sampler), which name the
 * manifest's file roles and may be granted capabilities; problems go to the manifest's list.
 */
final class StepReader {
    private static final Map<String, Capability> CAPABILITIES =
            ManifestParser.byWireName(Capability.values(), Capability::wireName);
    private static final int MAX_OUTPUT_BYTES = 1 << 30;
    private static final String PLUGIN_EXPECTED =
            "a built-in plugin's name or a third-party plugin {\"path\": \"….wasm\", \"sha256\": \"…\"}";

    private final Problems problems;
    private final Set<String> roles;
    private final boolean tokenizerDeclared;

    /**
     * @param roles             every role in the manifest's {@code files}, valid or not
     * @param tokenizerDeclared whether the manifest has a top-level {@code tokenizer}, which granting
     *                          {@link Capability#TOKENIZER} needs
     */
    StepReader(Problems problems, Set<String> roles, boolean tokenizerDeclared) {
        this.problems = problems;
        this.roles = roles;
        this.tokenizerDeclared = tokenizerDeclared;
    }

    /** A pipeline step: a plugin or a model run. */
    PipelineStep step(JsonCursor s) {
        if (!s.object(true, "name", "plugin", "model", "entry", "config", "limits", "capabilities")) {
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
        if (model.present()) {
            int mark = problems.mark();
            for (String pluginOnly : List.of("entry", "config", "limits", "capabilities")) {
                if (s.field(pluginOnly).present()) {
                    s.field(pluginOnly).problem("applies only to plugin steps (this step runs a model)");
                }
            }
            String role = role(model);
            String name = s.field("name").string(false, role);
            return problems.since(mark) ? null : new ModelStep(name, role);
        }
        return pluginStep(s, null, PluginStep.DEFAULT_ENTRY);
    }

    /** The generation's sampler: a plugin step whose name and entry have their own defaults. */
    PluginStep sampler(JsonCursor s) {
        if (!s.object(true, "name", "plugin", "entry", "config", "limits", "capabilities")) {
            return null;
        }
        if (!s.field("plugin").present()) {
            s.field("plugin").problem("missing (expected " + PLUGIN_EXPECTED + ")");
            return null;
        }
        return pluginStep(s, GenerationSpec.DEFAULT_SAMPLER_NAME, GenerationSpec.DEFAULT_SAMPLER_ENTRY);
    }

    /** @param defaultName the step's name when it has none, or {@code null} for the plugin's name */
    private PluginStep pluginStep(JsonCursor s, String defaultName, String defaultEntry) {
        int mark = problems.mark();
        PluginRef ref = pluginRef(s.field("plugin"));
        String fallbackName = defaultName != null ? defaultName : ref == null ? null : pluginName(ref);
        String name = s.field("name").string(false, fallbackName);
        String entry = s.field("entry").string(false, defaultEntry);
        Map<String, Object> config = config(s.field("config"));
        Limits limits = limits(s.field("limits"));
        Set<Capability> capabilities = capabilities(s.field("capabilities"), name != null ? name : s.path());
        return problems.since(mark) ? null : new PluginStep(name, ref, entry, config, limits, capabilities);
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
            String sha256 = c.field("sha256").string(true, Sha256.PATTERN, ManifestParser.SHA256_RULE);
            return path == null || sha256 == null ? null : new PluginRef.ThirdParty(path, sha256);
        }
        if (!c.node().isTextual()) {
            c.expected(PLUGIN_EXPECTED);
            return null;
        }
        String name = c.string(true, ManifestParser.NAME, "a built-in plugin's name (" + ManifestParser.NAME_RULE + ")");
        return name == null ? null : new PluginRef.Builtin(name);
    }

    /** A built-in plugin's name, or a third-party plugin's file name without {@code .wasm}. */
    private static String pluginName(PluginRef ref) {
        return switch (ref) {
            case PluginRef.Builtin builtin -> builtin.name();
            case PluginRef.ThirdParty thirdParty -> {
                String fileName = thirdParty.path().substring(thirdParty.path().lastIndexOf('/') + 1);
                yield fileName.endsWith(".wasm") ? fileName.substring(0, fileName.length() - ".wasm".length()) : fileName;
            }
        };
    }

    private Map<String, Object> config(JsonCursor c) {
        Map<String, Object> config = new LinkedHashMap<>();
        c.entries(false).forEach((key, value) -> {
            JsonNode node = value.node();
            boolean fileReference = node != null && node.isObject() && node.size() == 1 && node.has("file");
            Object plain = fileReference ? fileValue(value) : value.plain();
            if (plain != null) {
                config.put(key, plain);
            }
        });
        return Collections.unmodifiableMap(config);
    }

    /** A config value {@code {"file": "ROLE"}}; an unknown role is reported at the config key. */
    private FileValue fileValue(JsonCursor c) {
        String role = c.field("file").string(true, null);
        if (role != null && !roles.contains(role)) {
            c.problem(unknownRole(role));
            return null;
        }
        return role == null ? null : new FileValue(role);
    }

    private Set<Capability> capabilities(JsonCursor c, String step) {
        Set<Capability> granted = EnumSet.noneOf(Capability.class);
        for (JsonCursor element : c.elements(false)) {
            Capability capability = element.choice(true, CAPABILITIES, null);
            if (capability == null) {
                continue;
            }
            if (!granted.add(capability)) {
                element.problem("'" + capability.wireName() + "' is listed twice");
            }
            if (capability == Capability.TOKENIZER && !tokenizerDeclared) {
                element.problem("step '" + step + "' is granted the tokenizer capability, but the manifest declares"
                        + " no tokenizer (add a top-level \"tokenizer\": {\"file\": \"ROLE\"} naming the role of the"
                        + " tokenizer.json file)");
            }
        }
        return granted;
    }

    /** A role that exists in the manifest's {@code files}; required. */
    String role(JsonCursor c) {
        String role = c.string(true, null);
        if (role != null && !roles.contains(role)) {
            c.problem(unknownRole(role));
            return null;
        }
        return role;
    }

    private String unknownRole(String role) {
        return "file role '" + role + "' is not in \"files\" (roles: "
                + (roles.isEmpty() ? "none" : String.join(", ", roles)) + ")";
    }

    /** Limits of plugin calls: the model's or a step's own. */
    static Limits limits(JsonCursor c) {
        if (!c.object(false, "deadline_ms", "max_memory_pages", "max_output_bytes", "max_instances")) {
            return c.present() ? null : Limits.NONE;
        }
        return new Limits(
                c.field("deadline_ms").intValue(false, 1, 60_000, null),
                c.field("max_memory_pages").intValue(false, 1, 16_384, null),
                c.field("max_output_bytes").intValue(false, 1, MAX_OUTPUT_BYTES, null),
                c.field("max_instances").intValue(false, 1, 64, null));
    }
}
