package dev.corral.host.cli;

import dev.corral.host.image.ImageDecoder;
import dev.corral.host.sandbox.Parameters;
import dev.corral.host.sandbox.PluginLimits;
import dev.corral.host.sandbox.PluginSpec;
import dev.corral.host.serving.RequestTensors;
import dev.corral.host.tensor.DType;
import dev.corral.host.tensor.Tensor;
import dev.corral.registry.InputSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One call as {@code corral plugin run|bench} describe it on the command line: the entry point,
 * the input tensors a request would put in front of the step (ABI.md §4.6), the step's config and
 * the request's options.
 */
record PluginInputs(String entry, Map<String, Tensor> tensors, Parameters config, Parameters options) {
    /** The options that describe a call, shared by {@code run} and {@code bench}. */
    static final Set<String> OPTIONS = Set.of("entry", "image", "text", "texts", "tensor", "config", "option",
            "deadline-ms");

    /**
     * The plugin as a one-step manifest would load it, with this call's entry point and config,
     * one instance and the per-call deadline {@code --deadline-ms}, else {@code defaultDeadline}.
     */
    PluginSpec spec(String name, byte[] wasm, Args args, Duration defaultDeadline) {
        PluginLimits defaults = PluginLimits.defaults();
        long deadlineMs = args.longValue("deadline-ms", defaultDeadline.toMillis(), 1,
                PluginLimits.MAX_DEADLINE.toMillis());
        return new PluginSpec(name, wasm, null, Set.of(entry), defaults.withMaxInstances(1)
                .withDeadline(Duration.ofMillis(deadlineMs)), config);
    }

    /**
     * @throws Args.UsageException naming the option that is malformed or whose file cannot be read
     * @throws dev.corral.host.error.ServingException when {@code --image} is not a decodable image
     */
    static PluginInputs from(Args args) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        String image = args.get("image", null);
        if (image != null) {
            tensors.put(RequestTensors.IMAGE, new ImageDecoder(InputSpec.DEFAULT_MAX_PIXELS)
                    .decode(read("image", image), Path.of(image).getFileName().toString()));
        }
        String text = args.get("text", null);
        if (text != null) {
            tensors.put(RequestTensors.TEXT, RequestTensors.text(text));
        }
        String texts = args.get("texts", null);
        if (texts != null) {
            tensors.put(RequestTensors.TEXTS, RequestTensors.textList(List.of(texts.split(",", -1))));
        }
        for (String spec : args.all("tensor")) {
            addTensor(tensors, spec);
        }
        return new PluginInputs(args.get("entry", "process"), tensors,
                parameters("config", args.all("config")), parameters("option", args.all("option")));
    }

    /** {@code name=dtype:d0,d1,…:file.bin}; the file holds the raw little-endian data. */
    private static void addTensor(Map<String, Tensor> tensors, String spec) {
        int eq = spec.indexOf('=');
        String[] parts = eq < 1 ? new String[0] : spec.substring(eq + 1).split(":", 3);
        if (parts.length != 3) {
            throw new Args.UsageException("--tensor must be name=dtype:dims:file.bin (e.g. ids=int64:1,8:ids.bin), got '"
                    + spec + "'");
        }
        String name = spec.substring(0, eq);
        DType dtype = Arrays.stream(DType.values()).filter(d -> d.label().equals(parts[0])).findFirst()
                .orElseThrow(() -> new Args.UsageException("--tensor " + name + ": unknown dtype '" + parts[0]
                        + "'; one of " + Arrays.stream(DType.values()).map(DType::label).toList()));
        long[] shape;
        try {
            shape = parts[1].isEmpty() ? new long[0]
                    : Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--tensor " + name + ": dims must be whole numbers separated by commas, got '"
                    + parts[1] + "'");
        }
        byte[] data = read("tensor " + name, parts[2]);
        long expected = Tensor.byteSize(dtype, shape);
        if (data.length != expected) {
            throw new Args.UsageException("--tensor " + name + ": " + parts[2] + " has " + data.length + " bytes, but "
                    + dtype.label() + Arrays.toString(shape) + " needs " + expected);
        }
        tensors.put(name, Tensor.of(dtype, shape, data));
    }

    /**
     * {@code k=v} pairs: a number becomes a number, numbers separated by commas a list,
     * {@code true}/{@code false} a boolean, {@code @file} the file's text, anything else a string.
     */
    static Parameters parameters(String option, List<String> pairs) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new Args.UsageException("--" + option + " must be key=value, got '" + pair + "'");
            }
            values.put(pair.substring(0, eq), value(option, pair.substring(eq + 1)));
        }
        return Parameters.of(values);
    }

    private static Object value(String option, String text) {
        if (text.startsWith("@")) {
            return new String(read(option, text.substring(1)), StandardCharsets.UTF_8);
        }
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        Object number = number(text);
        if (number != null) {
            return number;
        }
        if (text.contains(",")) {
            List<Double> list = new ArrayList<>();
            for (String item : text.split(",")) {
                Object n = number(item.trim());
                if (n == null) {
                    return text;
                }
                list.add(((Number) n).doubleValue());
            }
            return list;
        }
        return text;
    }

    private static Object number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notInteger) {
            try {
                double d = Double.parseDouble(text);
                return Double.isFinite(d) && !text.endsWith("d") && !text.endsWith("f") ? d : null;
            } catch (NumberFormatException notNumber) {
                return null;
            }
        }
    }

    private static byte[] read(String option, String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new Args.UsageException("--" + option + ": cannot read " + file + " (" + e + ")");
        }
    }
}
