package dev.corral.host.sandbox;

import static com.dylibso.chicory.wasm.types.ValType.F64;
import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The functions of module {@code corral} that ABI version 1 lists (ABI.md §4), with their exact signatures. */
enum AbiImport {
    INPUT_COUNT("input_count", List.of(), I32),
    INPUT_FIND("input_find", List.of(I32, I32), I32),
    INPUT_NAME("input_name", List.of(I32, I32, I32), I32),
    INPUT_DTYPE("input_dtype", List.of(I32), I32),
    INPUT_RANK("input_rank", List.of(I32), I32),
    INPUT_DIM("input_dim", List.of(I32, I32), I64),
    INPUT_BYTE_SIZE("input_byte_size", List.of(I32), I32),
    INPUT_READ("input_read", List.of(I32, I32, I32, I32), I32),
    OUTPUT_TENSOR("output_tensor", List.of(I32, I32, I32, I32, I32, I32, I32), I32),
    OUTPUT_JSON("output_json", List.of(I32, I32), I32),
    CONFIG_I64("config_i64", List.of(I32, I32, I64), I64),
    CONFIG_F64("config_f64", List.of(I32, I32, F64), F64),
    CONFIG_STR("config_str", List.of(I32, I32, I32, I32), I32),
    CONFIG_F64S("config_f64s", List.of(I32, I32, I32, I32), I32),
    OPTION_I64("option_i64", List.of(I32, I32, I64), I64),
    OPTION_F64("option_f64", List.of(I32, I32, F64), F64),
    OPTION_STR("option_str", List.of(I32, I32, I32, I32), I32),
    OPTION_F64S("option_f64s", List.of(I32, I32, I32, I32), I32),
    LOG("log", List.of(I32, I32, I32), null),
    SET_ERROR("set_error", List.of(I32, I32, I32), null),
    TOKENIZER_ENCODE("tokenizer_encode", List.of(I32, I32, I32, I32, I32), I32),
    TOKENIZER_DECODE("tokenizer_decode", List.of(I32, I32, I32, I32, I32), I32),
    TOKENIZER_TOKEN_ID("tokenizer_token_id", List.of(I32, I32), I32),
    TOKENIZER_VOCAB_SIZE("tokenizer_vocab_size", List.of(), I32);

    /** The only module a plugin may import from. */
    static final String MODULE = "corral";

    private static final Map<String, AbiImport> BY_NAME = new HashMap<>();

    static {
        for (AbiImport i : values()) {
            BY_NAME.put(i.importName, i);
        }
    }

    final String importName;
    final FunctionType type;

    AbiImport(String importName, List<ValType> params, ValType result) {
        this.importName = importName;
        this.type = FunctionType.of(params, result == null ? List.of() : List.of(result));
    }

    /** The import with that name, or null when ABI v1 lists none. */
    static AbiImport named(String name) {
        return BY_NAME.get(name);
    }

    /** {@code (i32, i32) -> i32} */
    static String describe(FunctionType type) {
        return "(" + names(type.params()) + ") -> "
                + (type.returns().size() == 1 ? names(type.returns()) : "(" + names(type.returns()) + ")");
    }

    private static String names(List<ValType> types) {
        return types.stream().map(t -> t.name().toLowerCase()).collect(Collectors.joining(", "));
    }
}
