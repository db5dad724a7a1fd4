package dev.corral.host.serving;

import dev.corral.host.pipeline.StageTimings;

/** A finished request: the pipeline's JSON result and where its time went. */
public record InferenceOutcome(String resultJson, StageTimings timings) {
}
