package dev.corral.host.sandbox;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;

/**
 * A parsed, checked module and, in compiled mode, the machine factory Chicory's compiler made
 * for it. The factory only accepts instances of this very {@code WasmModule} object (it
 * compares identity), so the two are cached together.
 *
 * @param machineFactory null in interpreted mode
 */
record PreparedModule(String sha256, WasmModule module, Function<Instance, Machine> machineFactory) {
}
