package dev.corral.host.serving;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import dev.corral.registry.ModelManifest;
import dev.corral.registry.ModelTask;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The models this server serves, by name, each LOADING, READY or FAILED. Requests only ever see a
 * READY model; a model that failed to load is reported (health, /models) but harms no other.
 */
public final class ModelManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ModelManager.class.getName());
    private static final Duration RETRY_WHILE_LOADING = Duration.ofSeconds(2);

    /** What the server knows of one model. */
    public enum State { LOADING, READY, FAILED }

    private record Entry(State state, LoadedModel model, String error, Map<String, Object> description) {
    }

    private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final ModelLoader loader;

    public ModelManager(ModelLoader loader) {
        this.loader = loader;
    }

    /** Marks models as loading, so that readiness is false until {@link #load} has run for each. */
    public void expect(List<String> names) {
        for (String name : names) {
            entries.putIfAbsent(name, new Entry(State.LOADING, null, null, Map.of("name", name)));
        }
    }

    /** Records a model that cannot even be read (a broken manifest). */
    public void fail(String name, String error) {
        LOG.log(Level.ERROR, "model '" + name + "' failed to load: " + error);
        entries.put(name, new Entry(State.FAILED, null, error, Map.of("name", name)));
    }

    /** Loads (and warms up) one model; on failure the model is FAILED and the reason kept. */
    public void load(ModelManifest manifest) {
        String name = manifest.name();
        entries.put(name, new Entry(State.LOADING, null, null, Descriptions.of(manifest, null)));
        long start = System.nanoTime();
        try {
            LoadedModel model = loader.load(manifest);
            Entry previous = entries.put(name, new Entry(State.READY, model, null,
                    Descriptions.of(manifest, model)));
            if (previous != null && previous.model() != null) {
                previous.model().close();
            }
            LOG.log(Level.INFO, "model '" + name + "' version " + model.version() + " ready in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (ModelLoadFailure e) {
            LOG.log(Level.ERROR, "model '" + name + "' failed to load: " + e.getMessage());
            entries.put(name, new Entry(State.FAILED, null, e.getMessage(), Descriptions.of(manifest, null)));
        }
    }

    /**
     * The model a request names, or the only model of that input kind when it names none.
     *
     * @throws ServingException MODEL_NOT_FOUND, MODEL_NOT_READY (with Retry-After while loading)
     *                          or BAD_REQUEST when several models could serve and none is named
     */
    public LoadedModel resolve(String name, String inputKind) {
        if (name == null || name.isEmpty()) {
            return resolve(onlyModelWith("input", inputKind, inputKind + " input"), inputKind);
        }
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new ServingException(ErrorKind.MODEL_NOT_FOUND,
                    "no model named '" + name + "' (loaded: " + String.join(", ", entries.keySet()) + ")");
        }
        return switch (entry.state()) {
            case READY -> inputKind == null ? entry.model() : checkKind(entry.model(), inputKind);
            case LOADING -> throw new ServingException(ErrorKind.MODEL_NOT_READY,
                    "model '" + name + "' is still loading", RETRY_WHILE_LOADING, null);
            case FAILED -> throw new ServingException(ErrorKind.MODEL_NOT_READY,
                    "model '" + name + "' failed to load: " + entry.error());
        };
    }

    /**
     * The model a request names, or the only model with that task when it names none; it must
     * have that task.
     *
     * @throws ServingException as {@link #resolve(String, String)}; BAD_REQUEST when the named
     *                          model has another task
     */
    public LoadedModel resolve(String name, ModelTask task) {
        String wire = task.wireName();
        LoadedModel model = name == null || name.isEmpty()
                ? resolve(onlyModelWith("task", wire, wire + " model"), (String) null)
                : resolve(name, (String) null);
        if (model.task() != task) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "model '" + model.name() + "' is a "
                    + model.task().wireName() + " model; this request needs a " + wire + " model");
        }
        return model;
    }

    /** Names of models whose description has {@code key} = {@code value} (or unknown, for a broken manifest). */
    private String onlyModelWith(String key, String value, String what) {
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Object v = e.getValue().description().get(key);
            if (v == null || v.equals(value)) {
                candidates.add(e.getKey());
            }
        }
        if (candidates.size() == 1) {
            return candidates.getFirst();
        }
        throw new ServingException(candidates.isEmpty() ? ErrorKind.MODEL_NOT_FOUND : ErrorKind.BAD_REQUEST,
                candidates.isEmpty() ? "no " + what + " is loaded"
                        : "several models could serve this (" + String.join(", ", candidates)
                        + "): name one with \"model\" or ?model=");
    }

    private static LoadedModel checkKind(LoadedModel model, String inputKind) {
        if (!model.manifest().input().kind().wireName().equals(inputKind)) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "model '" + model.name() + "' takes "
                    + model.manifest().input().kind().wireName() + " input, not " + inputKind);
        }
        return model;
    }

    /** True when every known model is READY (and there is at least one). */
    public boolean allReady() {
        return !entries.isEmpty() && entries.values().stream().allMatch(e -> e.state() == State.READY);
    }

    /** Each model's state, with the reason for a failure. */
    public Map<String, Object> states() {
        Map<String, Object> states = new LinkedHashMap<>();
        entries.forEach((name, e) -> states.put(name, e.error() == null ? e.state().name().toLowerCase()
                : Map.of("state", "failed", "error", e.error())));
        return states;
    }

    public List<Map<String, Object>> describeAll() {
        List<Map<String, Object>> all = new ArrayList<>();
        entries.forEach((name, e) -> all.add(describe(e)));
        return all;
    }

    /** @throws ServingException MODEL_NOT_FOUND */
    public Map<String, Object> describe(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new ServingException(ErrorKind.MODEL_NOT_FOUND, "no model named '" + name + "'");
        }
        return describe(entry);
    }

    private static Map<String, Object> describe(Entry e) {
        Map<String, Object> d = new LinkedHashMap<>(e.description());
        d.put("state", e.state().name().toLowerCase());
        if (e.model() != null && e.model().manifest().generation() != null) {
            d.put("generation", Descriptions.generation(e.model().generator().stats()));
        }
        if (e.error() != null) {
            d.put("error", e.error());
        }
        return d;
    }

    @Override
    public void close() {
        for (Entry e : entries.values()) {
            if (e.model() != null) {
                e.model().close();
            }
        }
        entries.clear();
    }
}
