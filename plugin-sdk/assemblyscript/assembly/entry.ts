/** The ABI version export and the entry-point wrapper. */

/** The ABI version this SDK implements (plugin-sdk/ABI.md). */
export const ABI_VERSION: i32 = 1;

/**
 * The `corral_abi_version` export the host calls at load (ABI §2). Re-export it from the
 * plugin's entry file: `export { corral_abi_version } from "@corral/plugin-sdk";`
 */
export function corral_abi_version(): i32 {
  return ABI_VERSION;
}

/**
 * Runs an entry point's body and then frees its garbage, so that memory stops growing after
 * the first calls although the host reuses an instance for many calls (ABI §1):
 *
 *     export function preprocess(): i32 { return entry(run); }
 *
 * With `--runtime minimal` (what this SDK is built for) nothing is collected automatically;
 * this is the only place the garbage of a call goes away. The body's locals are out of scope
 * when it returns, so only what globals reference (per-instance caches) survives.
 */
export function entry(body: () => i32): i32 {
  const result = body();
  __collect();
  return result;
}
