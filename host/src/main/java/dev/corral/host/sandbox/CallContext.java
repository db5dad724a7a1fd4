package dev.corral.host.sandbox;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state one instance's host functions see during one call: the inputs and options in
 * scope, the outputs written so far, the last {@code set_error}, the log budget. Set by
 * {@link #begin} and wiped by {@link #end}, so nothing of one call is visible to the next.
 * Outside a call (the start function) it holds no inputs and no options.
 */
final class CallContext {
    static final int MAX_LOG_LINES = 64;
    static final int MAX_LOG_BYTES = 4096;
    static final int MAX_ERROR_BYTES = 1024;
    private static final byte[][] NO_NAMES = new byte[0][];
    private static final Tensor[] NO_TENSORS = new Tensor[0];
    private static final ByteBuffer[] NO_DATA = new ByteBuffer[0];

    final String pluginName;
    final Parameters config;
    private final long maxOutputBytes;

    private byte[][] inputNames = NO_NAMES;
    private Tensor[] inputs = NO_TENSORS;
    private ByteBuffer[] inputData = NO_DATA;
    private Parameters options = Parameters.empty();
    private Map<String, Tensor> outputs;
    private String json;
    private long outputBytes;
    private int errorCode;
    private String errorMessage;
    private int logLines;
    private int logBytes;
    private int logDropped;
    private byte[] scratch;

    CallContext(String pluginName, Parameters config, long maxOutputBytes) {
        this.pluginName = pluginName;
        this.config = config;
        this.maxOutputBytes = maxOutputBytes;
    }

    void begin(Map<String, Tensor> in, Parameters opts) {
        int n = in.size();
        inputNames = new byte[n][];
        inputs = new Tensor[n];
        inputData = new ByteBuffer[n];
        int i = 0;
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            inputNames[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            inputs[i] = e.getValue();
            i++;
        }
        options = opts;
        clearResults();
    }

    void end() {
        inputNames = NO_NAMES;
        inputs = NO_TENSORS;
        inputData = NO_DATA;
        options = Parameters.empty();
        clearResults();
    }

    private void clearResults() {
        outputs = null;
        json = null;
        outputBytes = 0;
        errorCode = 0;
        errorMessage = null;
        logLines = 0;
        logBytes = 0;
        logDropped = 0;
    }

    int inputCount() {
        return inputs.length;
    }

    /** The input at a guest-given index; an index out of range is an ABI violation. */
    Tensor input(long index) {
        if (index < 0 || index >= inputs.length) {
            throw GuestFault.abi("input index " + index + " is outside 0.." + (inputs.length - 1));
        }
        return inputs[(int) index];
    }

    byte[] inputName(int index) {
        return inputNames[index];
    }

    /** A view of the input's data, made once per call. */
    ByteBuffer inputData(int index) {
        ByteBuffer data = inputData[index];
        if (data == null) {
            data = inputs[index].data();
            inputData[index] = data;
        }
        return data;
    }

    Parameters options() {
        return options;
    }

    /** A buffer for staging copies into guest memory, reused across calls of this instance. */
    byte[] scratch() {
        if (scratch == null) {
            scratch = new byte[64 << 10];
        }
        return scratch;
    }

    boolean hasOutput(String name) {
        return outputs != null && outputs.containsKey(name);
    }

    /** Reserves {@code bytes} of the output budget; checked before anything is copied. */
    void chargeOutput(long bytes) {
        if (outputBytes + bytes > maxOutputBytes) {
            throw new GuestFault(ErrorKind.PLUGIN_LIMIT_EXCEEDED, "outputs would reach " + (outputBytes + bytes)
                    + " bytes, more than the limit of " + maxOutputBytes);
        }
        outputBytes += bytes;
    }

    void addOutput(String name, Tensor tensor) {
        if (outputs == null) {
            outputs = new LinkedHashMap<>();
        }
        outputs.put(name, tensor);
    }

    boolean hasJson() {
        return json != null;
    }

    void setJson(String text) {
        json = text;
    }

    void setError(int code, String message) {
        errorCode = code;
        errorMessage = message;
    }

    int errorCode() {
        return errorCode;
    }

    String errorMessage() {
        return errorMessage;
    }

    PluginOutput output() {
        Map<String, Tensor> tensors = outputs == null ? Map.of() : Collections.unmodifiableMap(outputs);
        return new PluginOutput(tensors, json);
    }

    /**
     * Admits one log line of {@code len} bytes against the per-call budget.
     *
     * @return how many of its bytes may be written (0: drop the line)
     */
    int admitLog(int len) {
        if (logLines >= MAX_LOG_LINES || logBytes >= MAX_LOG_BYTES) {
            logDropped++;
            return 0;
        }
        int admitted = Math.min(len, MAX_LOG_BYTES - logBytes);
        logLines++;
        logBytes += admitted;
        return admitted;
    }

    int logDropped() {
        return logDropped;
    }
}
