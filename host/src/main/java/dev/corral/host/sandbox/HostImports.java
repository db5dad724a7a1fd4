package dev.corral.host.sandbox;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.host.tokenize.ModelTokenizer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The host side of every {@code corral} import (ABI.md §4), bound to one instance's
 * {@link CallContext}. Each function checks the guest's pointers, indices and sizes first and
 * throws {@link GuestFault} on anything the ABI does not allow; the host never allocates in the
 * guest's memory.
 */
final class HostImports {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int MAX_NAME_BYTES = 128;
    private static final int MAX_RANK = 8;
    private static final Level[] LOG_LEVELS = {Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR};
    private static final long[] ZERO = {0};
    /** The most text one {@code tokenizer_encode} takes, and the most ids one {@code tokenizer_decode} takes. */
    static final int MAX_TOKENIZER_TEXT_BYTES = 1 << 20;
    static final int MAX_TOKENIZER_IDS = 1 << 18;
    private static final int MAX_TOKEN_BYTES = 1024;

    private final CallContext context;
    private final ModelTokenizer tokenizer;
    private final Logger logger;

    private HostImports(CallContext context, ModelTokenizer tokenizer, Logger logger) {
        this.context = context;
        this.tokenizer = tokenizer;
        this.logger = logger;
    }

    /**
     * Host functions for every import ABI v1 lists, bound to {@code context}; the tokenizer
     * capability works only when {@code tokenizer} (the manifest's grant) is not null.
     */
    static ImportValues bind(CallContext context, ModelTokenizer tokenizer, Logger logger) {
        HostImports host = new HostImports(context, tokenizer, logger);
        List<HostFunction> functions = new ArrayList<>();
        for (AbiImport i : AbiImport.values()) {
            functions.add(new HostFunction(AbiImport.MODULE, i.importName, i.type, host.handle(i)));
        }
        return ImportValues.builder().withFunctions(List.copyOf(functions)).build();
    }

    private WasmFunctionHandle handle(AbiImport i) {
        return switch (i) {
            case INPUT_COUNT -> (inst, a) -> one(context.inputCount());
            case INPUT_FIND -> (inst, a) -> one(inputFind(inst.memory(), a[0], a[1]));
            case INPUT_NAME -> (inst, a) -> one(inputName(inst.memory(), a[0], a[1], a[2]));
            case INPUT_DTYPE -> (inst, a) -> one(context.input(a[0]).dtype().code());
            case INPUT_RANK -> (inst, a) -> one(context.input(a[0]).rank());
            case INPUT_DIM -> (inst, a) -> one(inputDim(a[0], a[1]));
            case INPUT_BYTE_SIZE -> (inst, a) -> one(context.input(a[0]).byteSize());
            case INPUT_READ -> (inst, a) -> one(inputRead(inst.memory(), a[0], a[1], a[2], a[3]));
            case OUTPUT_TENSOR -> (inst, a) -> outputTensor(inst.memory(), a);
            case OUTPUT_JSON -> (inst, a) -> outputJson(inst.memory(), a[0], a[1]);
            case CONFIG_I64 -> (inst, a) -> one(readI64(inst, context.config, false, a));
            case OPTION_I64 -> (inst, a) -> one(readI64(inst, context.options(), true, a));
            case CONFIG_F64 -> (inst, a) -> one(readF64(inst, context.config, false, a));
            case OPTION_F64 -> (inst, a) -> one(readF64(inst, context.options(), true, a));
            case CONFIG_STR -> (inst, a) -> one(readStr(inst, context.config, false, a));
            case OPTION_STR -> (inst, a) -> one(readStr(inst, context.options(), true, a));
            case CONFIG_F64S -> (inst, a) -> one(readF64s(inst, context.config, false, a));
            case OPTION_F64S -> (inst, a) -> one(readF64s(inst, context.options(), true, a));
            case LOG -> (inst, a) -> log(inst.memory(), a[0], a[1], a[2]);
            case SET_ERROR -> (inst, a) -> setError(inst.memory(), a[0], a[1], a[2]);
            case TOKENIZER_ENCODE -> (inst, a) -> one(tokenizerEncode(inst.memory(), a));
            case TOKENIZER_DECODE -> (inst, a) -> one(tokenizerDecode(inst.memory(), a));
            case TOKENIZER_TOKEN_ID -> (inst, a) -> one(tokenizerTokenId(inst.memory(), a[0], a[1]));
            case TOKENIZER_VOCAB_SIZE -> (inst, a) -> one(granted(AbiImport.TOKENIZER_VOCAB_SIZE).vocabSize());
        };
    }

    private static long[] one(long value) {
        return new long[] {value};
    }

    // --- inputs (§4.1) ---

    private int inputFind(Memory memory, long namePtr, long nameLen) {
        byte[] name = GuestMemory.read(memory, namePtr, GuestMemory.u32(nameLen), "input_find name");
        for (int i = 0; i < context.inputCount(); i++) {
            if (Arrays.equals(context.inputName(i), name)) {
                return i;
            }
        }
        return -1;
    }

    private int inputName(Memory memory, long index, long dst, long cap) {
        context.input(index);
        byte[] name = context.inputName((int) index);
        int n = (int) Math.min(name.length, GuestMemory.u32(cap));
        GuestMemory.write(memory, dst, name, n, "input_name destination");
        return name.length;
    }

    private long inputDim(long index, long axis) {
        Tensor t = context.input(index);
        if (axis < 0 || axis >= t.rank()) {
            throw GuestFault.abi("axis " + axis + " of input " + index + " is outside 0.." + (t.rank() - 1));
        }
        return t.dim((int) axis);
    }

    private int inputRead(Memory memory, long index, long offset, long dst, long len) {
        Tensor t = context.input(index);
        if (offset < 0) {
            throw GuestFault.abi("input_read offset " + offset + " is negative");
        }
        long available = Math.max(0, t.byteSize() - offset);
        int n = (int) Math.min(GuestMemory.u32(len), available);
        int ptr = GuestMemory.check(memory, dst, n, "input_read destination");
        ByteBuffer data = context.inputData((int) index);
        byte[] chunk = context.scratch();
        for (int done = 0; done < n; ) {
            int step = Math.min(chunk.length, n - done);
            data.get((int) offset + done, chunk, 0, step);
            memory.write(ptr + done, chunk, 0, step);
            done += step;
        }
        return n;
    }

    // --- outputs (§4.2) ---

    private long[] outputTensor(Memory memory, long[] a) {
        long nameLen = GuestMemory.u32(a[1]);
        if (nameLen < 1 || nameLen > MAX_NAME_BYTES) {
            throw GuestFault.abi("output name is " + nameLen + " bytes; names are 1.." + MAX_NAME_BYTES + " bytes");
        }
        String name = Utf8.decode(GuestMemory.read(memory, a[0], nameLen, "output name"), "output name");
        if (context.hasOutput(name)) {
            throw GuestFault.abi("output '" + name + "' was already written in this call");
        }
        DType dtype = DType.ofCode((int) a[2]);
        if (dtype == null) {
            throw GuestFault.abi("output '" + name + "' has dtype code " + a[2] + ", which ABI v1 does not list");
        }
        long rank = a[4];
        if (rank < 0 || rank > MAX_RANK) {
            throw GuestFault.abi("output '" + name + "' has rank " + rank + "; ranks are 0.." + MAX_RANK);
        }
        int dimsPtr = GuestMemory.check(memory, a[3], rank * Long.BYTES, "output '" + name + "' dims");
        long[] dims = new long[(int) rank];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = memory.readLong(dimsPtr + i * Long.BYTES);
        }
        long expected;
        try {
            expected = Tensor.byteSize(dtype, dims);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw GuestFault.abi("output '" + name + "' has dims " + Arrays.toString(dims)
                    + " (a negative or overflowing dimension)");
        }
        long dataLen = GuestMemory.u32(a[6]);
        if (expected != dataLen) {
            throw GuestFault.abi("output '" + name + "' of " + dtype.label() + Arrays.toString(dims) + " needs "
                    + expected + " bytes, but data_len is " + dataLen);
        }
        int dataPtr = GuestMemory.check(memory, a[5], dataLen, "output '" + name + "' data");
        context.chargeOutput(dataLen);
        context.addOutput(name, Tensor.of(dtype, dims, memory.readBytes(dataPtr, (int) dataLen)));
        return ZERO;
    }

    private long[] outputJson(Memory memory, long ptr, long lenArg) {
        if (context.hasJson()) {
            throw GuestFault.abi("output_json was called twice; a call writes at most one JSON result");
        }
        long len = GuestMemory.u32(lenArg);
        int at = GuestMemory.check(memory, ptr, len, "output_json");
        context.chargeOutput(len);
        String text = Utf8.decode(memory.readBytes(at, (int) len), "output_json");
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw GuestFault.abi("output_json is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw GuestFault.abi("output_json is not a JSON object");
        }
        context.setJson(text);
        return ZERO;
    }

    // --- parameters (§4.3) ---

    private long readI64(Instance inst, Parameters from, boolean option, long[] a) {
        String key = key(inst.memory(), a);
        try {
            return from.readI64(key, a[2]);
        } catch (Parameters.WrongType e) {
            throw wrongType(e, option);
        }
    }

    private long readF64(Instance inst, Parameters from, boolean option, long[] a) {
        String key = key(inst.memory(), a);
        try {
            return Double.doubleToRawLongBits(from.readF64(key, Double.longBitsToDouble(a[2])));
        } catch (Parameters.WrongType e) {
            throw wrongType(e, option);
        }
    }

    private int readStr(Instance inst, Parameters from, boolean option, long[] a) {
        Memory memory = inst.memory();
        String key = key(memory, a);
        byte[] value;
        try {
            value = from.readUtf8(key);
        } catch (Parameters.WrongType e) {
            throw wrongType(e, option);
        }
        if (value == null) {
            return -1;
        }
        int n = (int) Math.min(value.length, GuestMemory.u32(a[3]));
        GuestMemory.write(memory, a[2], value, n, "value of '" + key + "' destination");
        return value.length;
    }

    private int readF64s(Instance inst, Parameters from, boolean option, long[] a) {
        Memory memory = inst.memory();
        String key = key(memory, a);
        double[] value;
        try {
            value = from.readF64s(key);
        } catch (Parameters.WrongType e) {
            throw wrongType(e, option);
        }
        if (value == null) {
            return -1;
        }
        int n = (int) Math.min(value.length, GuestMemory.u32(a[3]));
        ByteBuffer bytes = ByteBuffer.allocate(n * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            bytes.putDouble(value[i]);
        }
        GuestMemory.write(memory, a[2], bytes.array(), bytes.capacity(), "values of '" + key + "' destination");
        return value.length;
    }

    private static String key(Memory memory, long[] a) {
        return Utf8.decode(GuestMemory.read(memory, a[0], GuestMemory.u32(a[1]), "parameter key"), "parameter key");
    }

    private static GuestFault wrongType(Parameters.WrongType e, boolean option) {
        return option
                ? new GuestFault(ErrorKind.INVALID_OPTION, "option " + e.getMessage())
                : new GuestFault(ErrorKind.PLUGIN_FAILED, "config value " + e.getMessage());
    }

    // --- capability: tokenizer (§4.5) ---

    private ModelTokenizer granted(AbiImport i) {
        if (tokenizer == null) {
            throw new GuestFault(ErrorKind.PLUGIN_CAPABILITY_DENIED, "called " + i.importName
                    + ", but the model's manifest does not grant this step the 'tokenizer' capability; grant it with"
                    + " \"capabilities\": [\"tokenizer\"] on the step and a top-level \"tokenizer\": {\"file\": ROLE}");
        }
        return tokenizer;
    }

    private int tokenizerEncode(Memory memory, long[] a) {
        ModelTokenizer t = granted(AbiImport.TOKENIZER_ENCODE);
        long len = GuestMemory.u32(a[1]);
        if (len > MAX_TOKENIZER_TEXT_BYTES) {
            throw GuestFault.abi("tokenizer_encode was given " + len + " bytes of text; at most "
                    + MAX_TOKENIZER_TEXT_BYTES + " a call");
        }
        String text = Utf8.decode(GuestMemory.read(memory, a[0], len, "tokenizer_encode text"), "tokenizer_encode text");
        int[] ids = hostCall(() -> t.encode(text, flag(a[2], "tokenizer_encode")));
        int n = (int) Math.min(ids.length, GuestMemory.u32(a[4]));
        ByteBuffer bytes = ByteBuffer.allocate(n * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            bytes.putInt(ids[i]);
        }
        GuestMemory.write(memory, a[3], bytes.array(), bytes.capacity(), "tokenizer_encode destination");
        return ids.length;
    }

    private int tokenizerDecode(Memory memory, long[] a) {
        ModelTokenizer t = granted(AbiImport.TOKENIZER_DECODE);
        long count = GuestMemory.u32(a[1]);
        if (count > MAX_TOKENIZER_IDS) {
            throw GuestFault.abi("tokenizer_decode was given " + count + " ids; at most " + MAX_TOKENIZER_IDS + " a call");
        }
        ByteBuffer raw = ByteBuffer.wrap(GuestMemory.read(memory, a[0], count * Integer.BYTES, "tokenizer_decode ids"))
                .order(ByteOrder.LITTLE_ENDIAN);
        int[] ids = new int[(int) count];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = raw.getInt();
            if (ids[i] < 0 || ids[i] >= t.vocabSize()) {
                throw GuestFault.abi("tokenizer_decode id " + ids[i] + " at position " + i
                        + " is outside the vocabulary (0.." + (t.vocabSize() - 1) + ")");
            }
        }
        byte[] text = hostCall(() -> t.decode(ids, flag(a[2], "tokenizer_decode"))).getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(text.length, GuestMemory.u32(a[4]));
        GuestMemory.write(memory, a[3], text, n, "tokenizer_decode destination");
        return text.length;
    }

    private int tokenizerTokenId(Memory memory, long ptr, long lenArg) {
        ModelTokenizer t = granted(AbiImport.TOKENIZER_TOKEN_ID);
        long len = GuestMemory.u32(lenArg);
        if (len > MAX_TOKEN_BYTES) {
            throw GuestFault.abi("tokenizer_token_id was given a " + len + "-byte token; at most " + MAX_TOKEN_BYTES);
        }
        return t.tokenId(Utf8.decode(GuestMemory.read(memory, ptr, len, "tokenizer_token_id token"), "tokenizer_token_id token"));
    }

    private static boolean flag(long flags, String importName) {
        if (flags != 0 && flags != 1) {
            throw GuestFault.abi(importName + " flags are " + flags + "; ABI v1 defines only bit 0");
        }
        return flags == 1;
    }

    /** A host service's refusal (its queue is full, it is closing) keeps its kind for the client. */
    private static <T> T hostCall(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ServingException e) {
            throw new GuestFault(e.kind(), e.getMessage());
        }
    }

    // --- diagnostics (§4.4) ---

    private long[] log(Memory memory, long level, long ptr, long lenArg) {
        if (level < 0 || level >= LOG_LEVELS.length) {
            throw GuestFault.abi("log level " + level + " is outside 0..3");
        }
        long len = GuestMemory.u32(lenArg);
        int at = GuestMemory.check(memory, ptr, len, "log message");
        int admitted = context.admitLog((int) len);
        Level lvl = LOG_LEVELS[(int) level];
        if (admitted > 0 && logger.isLoggable(lvl)) {
            byte[] bytes = memory.readBytes(at, (int) Math.min(len, admitted + 4L));
            String text = Utf8.decode(bytes, Utf8.prefix(bytes, admitted), "log message");
            logger.log(lvl, "plugin '" + context.pluginName + "': " + text);
        }
        return null;
    }

    private long[] setError(Memory memory, long code, long ptr, long lenArg) {
        if (code < 1 || code > 3) {
            throw GuestFault.abi("set_error code " + code + " is not 1, 2 or 3");
        }
        long len = GuestMemory.u32(lenArg);
        int at = GuestMemory.check(memory, ptr, len, "set_error message");
        byte[] bytes = memory.readBytes(at, (int) Math.min(len, CallContext.MAX_ERROR_BYTES + 4));
        context.setError((int) code, Utf8.decode(bytes, Utf8.prefix(bytes, CallContext.MAX_ERROR_BYTES),
                "set_error message"));
        return null;
    }
}
