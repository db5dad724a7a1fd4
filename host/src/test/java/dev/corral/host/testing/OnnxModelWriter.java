package dev.corral.host.testing;

import dev.corral.host.tensor.DType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models for tests, so that a pipeline can be proven on a model whose every
 * output is known by construction — no Python, no protobuf library: the few messages a graph
 * needs are encoded here by hand (onnx.proto's field numbers; IR version 8, default opset 13).
 *
 * <pre>{@code
 * new OnnxModelWriter("mean_colour")
 *     .input("pixel_values", DType.FLOAT32, 1, 3, "height", "width")
 *     .node("ReduceMean", List.of("pixel_values"), List.of("image_embeds"),
 *           OnnxModelWriter.ints("axes", 2, 3), OnnxModelWriter.integer("keepdims", 0))
 *     .output("image_embeds", DType.FLOAT32, 1, 3)
 *     .write(folder.resolve("image_encoder.onnx"));
 * }</pre>
 *
 * Dims are {@code Integer}/{@code Long} (fixed) or {@code String} (symbolic, {@code dim_param}).
 */
public final class OnnxModelWriter {
    private static final long IR_VERSION = 8;
    private static final long OPSET = 13;

    /** A node attribute, already encoded as an AttributeProto. */
    public record Attribute(byte[] encoded) {
    }

    private final String graphName;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();

    public OnnxModelWriter(String graphName) {
        this.graphName = graphName;
    }

    /** A graph input (ValueInfoProto). */
    public OnnxModelWriter input(String name, DType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return this;
    }

    /** A graph output (ValueInfoProto). */
    public OnnxModelWriter output(String name, DType type, Object... dims) {
        outputs.add(valueInfo(name, type, dims));
        return this;
    }

    /** A float32 constant (TensorProto with raw_data, little-endian). */
    public OnnxModelWriter initializer(String name, long[] dims, float[] values) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (count != values.length) {
            throw new IllegalArgumentException("initializer '" + name + "': dims hold " + count + " values, got "
                    + values.length);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        Proto tensor = new Proto();
        for (long d : dims) {
            tensor.varintField(1, d);                 // dims
        }
        tensor.varintField(2, DType.FLOAT32.code());  // data_type
        tensor.stringField(8, name);                  // name
        tensor.bytesField(9, raw.array());            // raw_data
        initializers.add(tensor.toBytes());
        return this;
    }

    /** A node (NodeProto) of the default domain. */
    public OnnxModelWriter node(String opType, List<String> nodeInputs, List<String> nodeOutputs, Attribute... attributes) {
        Proto node = new Proto();
        nodeInputs.forEach(i -> node.stringField(1, i));     // input
        nodeOutputs.forEach(o -> node.stringField(2, o));    // output
        node.stringField(3, opType + "_" + nodes.size());    // name
        node.stringField(4, opType);                         // op_type
        for (Attribute a : attributes) {
            node.bytesField(5, a.encoded());                 // attribute
        }
        nodes.add(node.toBytes());
        return this;
    }

    /** An INT attribute. */
    public static Attribute integer(String name, long value) {
        Proto a = new Proto();
        a.stringField(1, name);    // name
        a.varintField(3, value);   // i
        a.varintField(20, 2);      // type = INT
        return new Attribute(a.toBytes());
    }

    /** An INTS attribute. */
    public static Attribute ints(String name, long... values) {
        Proto a = new Proto();
        a.stringField(1, name);    // name
        for (long v : values) {
            a.varintField(8, v);   // ints (unpacked, which every parser accepts)
        }
        a.varintField(20, 7);      // type = INTS
        return new Attribute(a.toBytes());
    }

    /** The ModelProto's bytes. */
    public byte[] toBytes() {
        Proto graph = new Proto();
        nodes.forEach(n -> graph.bytesField(1, n));          // node
        graph.stringField(2, graphName);                     // name
        initializers.forEach(t -> graph.bytesField(5, t));   // initializer
        inputs.forEach(i -> graph.bytesField(11, i));        // input
        outputs.forEach(o -> graph.bytesField(12, o));       // output

        Proto opset = new Proto();
        opset.stringField(1, "");                            // domain: the default one
        opset.varintField(2, OPSET);                         // version

        Proto model = new Proto();
        model.varintField(1, IR_VERSION);                    // ir_version
        model.stringField(2, "corral-tests");                // producer_name
        model.bytesField(7, graph.toBytes());                // graph
        model.bytesField(8, opset.toBytes());                // opset_import
        return model.toBytes();
    }

    public void write(Path file) throws IOException {
        Files.write(file, toBytes());
    }

    private static byte[] valueInfo(String name, DType type, Object... dims) {
        Proto shape = new Proto();
        for (Object dim : dims) {
            Proto d = new Proto();
            switch (dim) {
                case Integer i -> d.varintField(1, i);       // dim_value
                case Long l -> d.varintField(1, l);
                case String s -> d.stringField(2, s);        // dim_param
                default -> throw new IllegalArgumentException("a dim is a number or a name, got " + dim);
            }
            shape.bytesField(1, d.toBytes());                // dim
        }
        Proto tensorType = new Proto();
        tensorType.varintField(1, type.code());              // elem_type
        tensorType.bytesField(2, shape.toBytes());           // shape
        Proto typeProto = new Proto();
        typeProto.bytesField(1, tensorType.toBytes());       // tensor_type
        Proto info = new Proto();
        info.stringField(1, name);                           // name
        info.bytesField(2, typeProto.toBytes());             // type
        return info.toBytes();
    }

    /** Protobuf's wire format, the two wire types a model needs: varint (0) and length-delimited (2). */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varintField(int field, long value) {
            varint((long) field << 3);
            varint(value);
        }

        void bytesField(int field, byte[] value) {
            varint((long) field << 3 | 2);
            varint(value.length);
            out.writeBytes(value);
        }

        void stringField(int field, String value) {
            bytesField(field, value.getBytes(StandardCharsets.UTF_8));
        }

        /** Seven bits at a time, low first; a negative value takes all ten bytes, as protobuf's int64 does. */
        private void varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
