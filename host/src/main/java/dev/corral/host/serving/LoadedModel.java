package dev.corral.host.serving;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.image.ImageDecoder;
import dev.corral.host.pipeline.Pipeline;
import dev.corral.host.pipeline.StageTimings;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.tensor.Tensor;
import dev.corral.registry.InvalidOptionException;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.RequestOptions;

import java.util.Map;

/** One model version, loaded and warm: its manifest, its pipeline, and how its requests are decoded. */
public final class LoadedModel implements AutoCloseable {
    static final String IMAGE_TENSOR = "image";

    private final ModelManifest manifest;
    private final Pipeline pipeline;
    private final ImageDecoder imageDecoder;

    LoadedModel(ModelManifest manifest, Pipeline pipeline, ImageDecoder imageDecoder) {
        this.manifest = manifest;
        this.pipeline = pipeline;
        this.imageDecoder = imageDecoder;
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

    public Pipeline pipeline() {
        return pipeline;
    }

    /** Checks a request's raw options against the options the manifest declares (422 otherwise). */
    public Parameters parseOptions(Map<String, Object> raw) {
        try {
            return Parameters.of(RequestOptions.resolve(manifest.options(), raw).values());
        } catch (InvalidOptionException e) {
            throw new ServingException(ErrorKind.INVALID_OPTION, e.getMessage());
        }
    }

    /** Decodes one encoded image and runs the pipeline on it. */
    public InferenceOutcome inferImage(byte[] encoded, String label, Parameters requestOptions) {
        StageTimings timings = new StageTimings();
        Tensor image = timings.time("decode", () -> imageDecoder.decode(encoded, label));
        return run(Map.of(IMAGE_TENSOR, image), requestOptions, timings);
    }

    /** Runs the pipeline on tensors the caller already has (used by warm-up and benchmarks). */
    public InferenceOutcome run(Map<String, Tensor> inputs, Parameters requestOptions, StageTimings timings) {
        String json = pipeline.run(inputs, requestOptions, timings);
        return new InferenceOutcome(json, timings);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
