import { log as abiLog, set_error } from "./abi";
import { utf8 } from "./text";

/** set_error codes (ABI §4.4): who is to blame decides the HTTP status the client sees. */
export enum ErrorCode {
  /** The plugin or its config is wrong: 500 plugin_failed. */
  PLUGIN = 1,
  /** The request's data is unusable: 422 invalid_input. */
  INPUT = 2,
  /** A request option is unusable: 422 invalid_option. */
  OPTION = 3,
}

/** Log levels of the host's log (ABI §4.4). */
export enum LogLevel {
  DEBUG = 0,
  INFO = 1,
  WARN = 2,
  ERROR = 3,
}

/**
 * Describes the failure the entry point is about to return and returns `code`, so that an
 * entry point can write `return fail(ErrorCode.INPUT, "input 'image' is missing")`.
 * The message is what the client reads: say what was wrong, expected and found. The host
 * keeps at most 1 KiB of it.
 */
export function fail(code: i32, message: string): i32 {
  const bytes = utf8(message);
  set_error(code, changetype<usize>(bytes), bytes.byteLength);
  return code;
}

/** Writes a line to the host's log, prefixed there with the plugin's name (≤ 4 KiB a call). */
export function log(level: i32, message: string): void {
  const bytes = utf8(message);
  abiLog(level, changetype<usize>(bytes), bytes.byteLength);
}

/**
 * Replaces AssemblyScript's `env.abort` import (build with
 * `--use abort=@corral/plugin-sdk/assembly/errors/abortHandler`): a failed assertion, an
 * index out of range or an uncaught `throw` reports its message with set_error(1, …) and
 * then traps, so the call fails with 500 plugin_failed and the client sees why. A module
 * that still imported `env.abort` would be refused at load.
 */
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = message != null ? message : "abort";
  if (fileName != null) text += " (at " + fileName + ":" + line.toString() + ":" + column.toString() + ")";
  fail(ErrorCode.PLUGIN, text);
  unreachable();
}
