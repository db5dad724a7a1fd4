package dev.corral.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionSpecTest {
    private static final JsonMapper JSON = new JsonMapper();

    private static Map<String, OptionSpec> mobilenetOptions() throws Exception {
        return ManifestParser.parse(ProjectPaths.models().resolve("mobilenetv2/model.json")).options();
    }

    private static String refusal(OptionSpec spec, Object value) {
        return assertThrows(InvalidOptionException.class, () -> spec.validate(value)).getMessage();
    }

    @Test
    void integerOptionAcceptsTextAndJsonNumbers() throws Exception {
        OptionSpec topK = mobilenetOptions().get("top_k");
        assertEquals(3L, topK.validate("3"));
        assertEquals(3L, topK.validate(3));
        assertEquals(7L, topK.validate(JSON.readTree("7")));
        assertEquals(7L, topK.validate(JSON.readTree("\"7\"")));
        assertEquals(1000L, topK.validate("1000"));
    }

    @Test
    void integerOptionRefusesWhatIsNotAnIntegerInRange() throws Exception {
        OptionSpec topK = mobilenetOptions().get("top_k");
        assertEquals("top_k: expected an integer between 1 and 1000, found \"abc\"", refusal(topK, "abc"));
        assertEquals("top_k: expected an integer between 1 and 1000, found 0", refusal(topK, 0));
        assertEquals("top_k: expected an integer between 1 and 1000, found 1001", refusal(topK, 1001L));
        assertEquals("top_k: expected an integer between 1 and 1000, found \"2.5\"", refusal(topK, "2.5"));
        assertEquals("top_k: expected an integer between 1 and 1000, found true", refusal(topK, JSON.readTree("true")));
        assertEquals("top_k: expected an integer between 1 and 1000, found an array", refusal(topK, JSON.readTree("[1]")));
    }

    @Test
    void numberBooleanAndEnumOptions() throws Exception {
        OptionSpec temperature = new OptionSpec("temperature", OptionSpec.Type.NUMBER, 0.0, 2.0, 1.0, List.of(), "");
        assertEquals(0.5, temperature.validate("0.5"));
        assertEquals(2.0, temperature.validate(2));
        assertEquals("temperature: expected a number between 0.0 and 2.0, found \"NaN\"", refusal(temperature, "NaN"));
        assertEquals("temperature: expected a number between 0.0 and 2.0, found 2.5", refusal(temperature, 2.5));

        OptionSpec flag = new OptionSpec("nms", OptionSpec.Type.BOOLEAN, null, null, null, List.of(), "");
        assertEquals(true, flag.validate("true"));
        assertEquals(false, flag.validate(false));
        assertEquals("nms: expected true or false, found \"yes\"", refusal(flag, "yes"));

        OptionSpec mode = new OptionSpec("mode", OptionSpec.Type.STRING, null, null, null, List.of("fast", "exact"), "");
        assertEquals("exact", mode.validate("exact"));
        assertEquals("mode: expected one of \"fast\", \"exact\", found \"slow\"", refusal(mode, "slow"));
        assertEquals("mode: expected one of \"fast\", \"exact\", found 3", refusal(mode, 3));
    }

    @Test
    void requestOptionsAreCheckedAndCompletedWithDefaults() throws Exception {
        Map<String, OptionSpec> declared = mobilenetOptions();
        assertEquals(Map.of("top_k", 3L), RequestOptions.resolve(declared, Map.of("top_k", "3")).values());
        assertEquals(Map.of("top_k", 5L), RequestOptions.resolve(declared, Map.of()).values());
    }

    @Test
    void unknownOptionIsRefusedNamingTheAcceptedOnes() throws Exception {
        Map<String, OptionSpec> declared = mobilenetOptions();
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> RequestOptions.resolve(declared, Map.of("topk", "3")));
        assertEquals("unknown option 'topk' (this model accepts: top_k)", e.getMessage());

        InvalidOptionException none = assertThrows(InvalidOptionException.class,
                () -> RequestOptions.resolve(Map.of(), Map.of("topk", "3")));
        assertEquals("unknown option 'topk' (this model accepts no options)", none.getMessage());
    }

    @Test
    void everyWrongOptionIsReported() throws Exception {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("top_k", "abc");
        given.put("temprature", "1");
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> RequestOptions.resolve(mobilenetOptions(), given));
        assertEquals(List.of("top_k: expected an integer between 1 and 1000, found \"abc\"",
                "unknown option 'temprature' (this model accepts: top_k)"), e.problems());
    }
}
