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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * The models this server serves, by name, each LOADING, READY or FAILED. Requests only ever see a
 * READY model; a model that failed to load is reported (health, /models) but harms no other.
 *
 * <p>A model can be swapped for a new version while it serves ({@link #swap}): the new one is
 * loaded and warmed up beside the old, then one atomic map write makes it the one requests
 * resolve. A request holds a {@link ModelLease} on the version it resolved, and a replaced or
 * removed version is closed when its last lease ends: a long stream finishes on the version it
 * started on, and a new request never sees a closed one.
 */
public final class ModelManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ModelManager.class.getName());
    private static final Duration RETRY_WHILE_LOADING = Duration.ofSeconds(2);

    /** What the server knows of one model. */
    public enum State { LOADING, READY, FAILED }

    /** @param reloadError why the last reload failed while this version kept serving, or null */
    private record Entry(State state, LoadedModel model, String error, Map<String, Object> description,
                         String reloadError) {
        Entry(State state, LoadedModel model, String error, Map<String, Object> description) {
            this(state, model, error, description, null);
        }
    }

    private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final ModelLoader loader;
    /** Versions replaced or removed whose last requests may still be running; closed with the manager. */
    private final Set<LoadedModel> retired = ConcurrentHashMap.newKeySet();

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
                retire(previous.model());
            }
            LOG.log(Level.INFO, "model '" + name + "' version " + model.version() + " ready in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (ModelLoadFailure e) {
            LOG.log(Level.ERROR, "model '" + name + "' failed to load: " + e.getMessage());
            entries.put(name, new Entry(State.FAILED, null, e.getMessage(), Descriptions.of(manifest, null)));
        }
    }

    /**
     * Loads and warms up a new version of {@code manifest.name()} while the current one (if any)
     * keeps serving, then makes it the one requests resolve; the previous version is closed when
     * the last request using it ends. On failure nothing changes.
     *
     * @return the new version's description
     * @throws ModelLoadFailure why the new version cannot serve (the old one still does)
     */
    public Map<String, Object> swap(ModelManifest manifest) throws ModelLoadFailure {
        LoadedModel model = loader.load(manifest);
        Entry entry = new Entry(State.READY, model, null, Descriptions.of(manifest, model));
        Entry previous = entries.put(manifest.name(), entry);
        if (previous != null && previous.model() != null) {
            retire(previous.model());
        }
        LOG.log(Level.INFO, "model '" + manifest.name() + "' version " + model.version() + " swapped in");
        return describe(entry);
    }

    /** Notes on a model that a reload failed; the version it has keeps serving. */
    public void reloadFailed(String name, String error) {
        LOG.log(Level.ERROR, "model '" + name + "' failed to reload: " + error);
        entries.computeIfPresent(name, (n, e) -> new Entry(e.state(), e.model(), e.error(), e.description(), error));
    }

    /**
     * Stops serving a model; its loaded version is closed when the last request using it ends.
     *
     * @throws ServingException MODEL_NOT_FOUND
     */
    public void remove(String name) {
        Entry entry = entries.remove(name);
        if (entry == null) {
            throw new ServingException(ErrorKind.MODEL_NOT_FOUND, "no model named '" + name + "'");
        }
        if (entry.model() != null) {
            retire(entry.model());
        }
        LOG.log(Level.INFO, "model '" + name + "' removed");
    }

    private void retire(LoadedModel model) {
        retired.add(model);
        model.users().retire();
        retired.removeIf(LoadedModel::isClosed);
    }

    /**
     * The model a request names (as {@link #resolve(String, String)}), held for the request:
     * close the lease when the request ends.
     */
    public ModelLease lease(String name, String inputKind) {
        return lease(() -> resolve(name, inputKind));
    }

    /** The model a request names (as {@link #resolve(String, ModelTask)}), held for the request. */
    public ModelLease lease(String name, ModelTask task) {
        return lease(() -> resolve(name, task));
    }

    private static ModelLease lease(Supplier<LoadedModel> resolver) {
        while (true) {
            LoadedModel model = resolver.get();
            if (model.users().enter()) {
                return new ModelLease(model);
            }
            // Retired and closed between the map read and enter(): the map holds its successor.
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
        if (e.reloadError() != null) {
            d.put("last_reload_error", e.reloadError());
        }
        return d;
    }

    @Override
    public void close() {
        retired.forEach(LoadedModel::close);
        retired.clear();
        for (Entry e : entries.values()) {
            if (e.model() != null) {
                e.model().close();
            }
        }
        entries.clear();
    }
}
