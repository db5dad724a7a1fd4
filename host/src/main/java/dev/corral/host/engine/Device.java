package dev.corral.host.engine;

import java.util.Locale;

/** Where a model asks to run ({@code engine.device} in its manifest). */
public enum Device {
    /** CUDA when this ONNX Runtime build has it and a session starts on it, otherwise CPU. */
    AUTO,
    CPU,
    CUDA;

    /** The lower-case name used in manifests, logs and messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
