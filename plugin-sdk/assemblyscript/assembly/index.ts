/**
 * Corral plugin SDK for AssemblyScript, ABI version 1 (plugin-sdk/ABI.md).
 *
 *     import { entry, fail, ErrorCode, Input, outputTensor, configInt } from "@corral/plugin-sdk";
 *     export { corral_abi_version } from "@corral/plugin-sdk";
 *     export function process(): i32 { return entry(run); }
 *     function run(): i32 { ... return 0; }
 *
 * Conventions: helpers that can fail report the failure with set_error themselves and return
 * null / a non-zero code, so an entry point only passes it on (`if (x == null) return 2;`).
 * The raw imports are in "@corral/plugin-sdk/assembly/abi".
 */
export { ABI_VERSION, corral_abi_version, entry } from "./entry";
export { ErrorCode, LogLevel, fail, log, abortHandler } from "./errors";
export { DType, dtypeSize, dtypeName, Input, outputTensor, outputJson } from "./tensors";
export {
  configInt, configNumber, configString, configBytes, configNumbers,
  optionInt, optionNumber, optionString, optionNumbers,
} from "./params";
export { ByteBuilder } from "./builder";
export { JsonWriter } from "./json";
export { ADD_SPECIAL, SKIP_SPECIAL, MAX_TOKENIZER_TEXT, tokenize, tokenizeString, detokenize, tokenId, vocabSize } from "./tokenizer";
export { utf8, stringAt, stringOf, utf8InvalidAt, formatNumber } from "./text";
