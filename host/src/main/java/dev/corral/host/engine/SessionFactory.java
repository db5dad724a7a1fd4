package dev.corral.host.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Creates a model's ONNX Runtime session on the device its options ask for. */
final class SessionFactory {
    private static final System.Logger LOG = System.getLogger(SessionFactory.class.getName());

    /** A created session and the device it really runs on (CPU or CUDA, never AUTO). */
    record OpenedSession(OrtSession session, Device device) {
    }

    private SessionFactory() {
    }

    /**
     * Whether this ONNX Runtime build has the CUDA execution provider. The CPU artifact lists only
     * CPU; {@code onnxruntime_gpu} lists CUDA even where the CUDA libraries are missing, which only
     * shows when a session is created with it.
     */
    static boolean cudaBuilt() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    static OpenedSession open(OrtEnvironment env, String modelName, Path onnxFile, EngineOptions options)
            throws ModelLoadException {
        return switch (options.device()) {
            case CPU -> openOnCpu(env, modelName, onnxFile, options);
            case AUTO -> openAuto(env, modelName, onnxFile, options);
            case CUDA -> openOnCuda(env, modelName, onnxFile, options);
        };
    }

    private static OpenedSession openAuto(OrtEnvironment env, String modelName, Path onnxFile, EngineOptions options)
            throws ModelLoadException {
        if (cudaBuilt()) {
            try {
                return new OpenedSession(create(env, onnxFile, options, true), Device.CUDA);
            } catch (OrtException e) {
                LOG.log(Level.INFO, "model ''{0}'': CUDA did not start ({1}); running on cpu", modelName, e.getMessage());
            }
        }
        return openOnCpu(env, modelName, onnxFile, options);
    }

    private static OpenedSession openOnCuda(OrtEnvironment env, String modelName, Path onnxFile, EngineOptions options)
            throws ModelLoadException {
        String problem;
        OrtException cause = null;
        if (!cudaBuilt()) {
            problem = "model '" + modelName + "' asks for device cuda, but this ONNX Runtime build has no CUDA"
                    + " execution provider (available: " + availableProviders() + "); build with -Pgpu on a machine"
                    + " with CUDA 12 and cuDNN 9, or set engine.device to auto/cpu";
        } else {
            try {
                return new OpenedSession(create(env, onnxFile, options, true), Device.CUDA);
            } catch (OrtException e) {
                cause = e;
                problem = "model '" + modelName + "' asks for device cuda, but ONNX Runtime could not start it: "
                        + e.getMessage() + "; check that CUDA 12, cuDNN 9 and a GPU are present, or set"
                        + " engine.device to auto/cpu";
            }
        }
        if (!options.allowCpuFallback()) {
            throw new ModelLoadException(problem, cause);
        }
        LOG.log(Level.WARNING, "{0}; running on cpu because allow_cpu_fallback is set", problem);
        return openOnCpu(env, modelName, onnxFile, options);
    }

    private static OpenedSession openOnCpu(OrtEnvironment env, String modelName, Path onnxFile, EngineOptions options)
            throws ModelLoadException {
        try {
            return new OpenedSession(create(env, onnxFile, options, false), Device.CPU);
        } catch (OrtException e) {
            throw new ModelLoadException("model '" + modelName + "': " + onnxFile
                    + " is not a valid ONNX model for ONNX Runtime " + env.getVersion() + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession create(OrtEnvironment env, Path onnxFile, EngineOptions options, boolean cuda)
            throws OrtException {
        try (SessionOptions sessionOptions = new SessionOptions()) {
            sessionOptions.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            sessionOptions.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
            // Parallelism across requests comes from the engine's pool; inter-op threads would compete with it.
            sessionOptions.setInterOpNumThreads(1);
            if (options.intraOpThreads() > 0) {
                sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
            }
            if (cuda) {
                sessionOptions.addCUDA(0);
            }
            return env.createSession(onnxFile.toString(), sessionOptions);
        }
    }

    private static String availableProviders() {
        return OrtEnvironment.getAvailableProviders().stream().map(OrtProvider::name).collect(Collectors.joining(", "));
    }

    /** Releases a session; a failure to do so is logged, not thrown (there is nothing left to undo). */
    static void closeQuietly(String modelName, OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.log(Level.WARNING, "model ''{0}'': closing its ONNX Runtime session failed: {1}", modelName,
                    e.getMessage());
        }
    }
}
