package dev.corral.registry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's manifest ({@code models/<name>/model.json}), validated: every file role that a step
 * names exists, every third-party plugin is pinned, every option default is in range. Read one
 * with {@link ManifestParser}.
 *
 * @param source      the manifest file, as the path it was read from
 * @param name        equals the name of the folder that holds the manifest
 * @param version     the model's version, non-empty
 * @param task        what the model does
 * @param description for people, may be empty
 * @param files       role → file, in document order
 * @param input       what requests carry
 * @param pipeline    the steps, in order; at least one is a {@link ModelStep}, except for a
 *                    {@code text-generation} model, whose pipeline holds only {@link PluginStep}s
 *                    (they prepare the prompt; the model runs in the host's token loop)
 * @param options     option name → declaration, in document order
 * @param engine      how the ONNX Runtime session runs
 * @param limits      limits for every plugin step (a step's own limits take precedence)
 * @param tokenizer   the model's tokenizer, or {@code null} when it has none; always present for
 *                    {@code text-generation} and whenever a step is granted {@link Capability#TOKENIZER}
 * @param generation  how tokens are generated: present exactly when the task is {@code text-generation}
 */
public record ModelManifest(Path source, String name, String version, ModelTask task, String description,
                            Map<String, ModelFile> files, InputSpec input, List<PipelineStep> pipeline,
                            Map<String, OptionSpec> options, EngineSpec engine, Limits limits,
                            TokenizerSpec tokenizer, GenerationSpec generation) {

    public static final String FILE_NAME = "model.json";

    public ModelManifest {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        pipeline = List.copyOf(pipeline);
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** The folder that holds the manifest and the model's files. */
    public Path directory() {
        Path parent = source.getParent();
        return parent != null ? parent : source.toAbsolutePath().getParent();
    }

    /** Where a file of the model lies. */
    public Path resolve(ModelFile file) {
        return directory().resolve(file.path());
    }

    /** Every plugin step: the pipeline's, in order, then the generation's sampler. */
    public List<PluginStep> pluginSteps() {
        List<PluginStep> steps = new ArrayList<>();
        for (PipelineStep step : pipeline) {
            if (step instanceof PluginStep plugin) {
                steps.add(plugin);
            }
        }
        if (generation != null) {
            steps.add(generation.sampler());
        }
        return List.copyOf(steps);
    }

    /** Where a third-party plugin lies. */
    public Path resolve(PluginRef.ThirdParty plugin) {
        return directory().resolve(plugin.path());
    }

    /**
     * The file with this role.
     *
     * @throws IllegalArgumentException when there is none (a validated manifest's steps only name
     *                                  roles that exist)
     */
    public ModelFile file(String role) {
        ModelFile file = files.get(role);
        if (file == null) {
            throw new IllegalArgumentException(source + ": no file with role '" + role + "' (roles: "
                    + String.join(", ", files.keySet()) + ")");
        }
        return file;
    }
}
