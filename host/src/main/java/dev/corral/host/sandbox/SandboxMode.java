package dev.corral.host.sandbox;

/**
 * How a plugin's code runs. Both modes implement the same ABI and must give bit-identical
 * results; {@link #INTERPRETED} exists as the reference the differential tests compare against
 * and as a fallback where generating JVM bytecode is not wanted.
 */
public enum SandboxMode {
    /** Chicory's compiler turns the module into JVM bytecode once per sha256. */
    COMPILED,
    /** Chicory's interpreter runs the module instruction by instruction. */
    INTERPRETED
}
