package dev.corral.host.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The imports that plugin-sdk/ABI.md §4 lists, read from the page itself, so that tests check
 * the host and the SDKs against the document rather than against a second copy of it. Each is
 * given in the form {@code (i32, i32) -> i32} (parameter names dropped), the form Chicory-based
 * module summaries use.
 */
public final class AbiDocument {
    /** A table row: | `name` [/ `name`] | `(p: t, …) -> r` | … */
    private static final Pattern ROW = Pattern.compile("^\\| (`[a-z0-9_]+`(?: / `[a-z0-9_]+`)*) \\| `(\\([^`]*\\) -> [^`]+)` \\|");
    private static final Pattern NAME = Pattern.compile("`([a-z0-9_]+)`");
    private static final Pattern PARAM = Pattern.compile("^[a-z_]+: (i32|i64|f32|f64)$");

    private AbiDocument() {
    }

    /** Import name → signature, in the page's order, from §4 up to §5. */
    public static Map<String, String> imports() {
        String text;
        try {
            text = Files.readString(TestPaths.repoRoot().resolve("plugin-sdk/ABI.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int from = text.indexOf("\n## 4. ");
        int to = text.indexOf("\n## 5. ");
        if (from < 0 || to < from) {
            throw new IllegalStateException("ABI.md has no '## 4.' section followed by '## 5.'");
        }
        Map<String, String> imports = new LinkedHashMap<>();
        for (String line : text.substring(from, to).split("\n")) {
            Matcher row = ROW.matcher(line);
            if (!row.find()) {
                continue;
            }
            String signature = signature(row.group(2), line);
            Matcher names = NAME.matcher(row.group(1));
            while (names.find()) {
                if (imports.put(names.group(1), signature) != null) {
                    throw new IllegalStateException("ABI.md lists import '" + names.group(1) + "' twice");
                }
            }
        }
        return imports;
    }

    /** {@code (index: i32, axis: i32) -> i64} → {@code (i32, i32) -> i64}; every parameter must be typed. */
    private static String signature(String documented, String line) {
        int arrow = documented.indexOf(") -> ");
        String params = documented.substring(1, arrow);
        List<String> types = new ArrayList<>();
        if (!params.isBlank()) {
            for (String param : params.split(", ")) {
                Matcher typed = PARAM.matcher(param);
                if (!typed.matches()) {
                    throw new IllegalStateException("ABI.md gives parameter '" + param + "' no WebAssembly type: " + line);
                }
                types.add(typed.group(1));
            }
        }
        return "(" + String.join(", ", types) + ") -> " + documented.substring(arrow + 5);
    }
}
