package dev.corral.registry;

/**
 * A config value {@code {"file": "ROLE"}}: stands for the text of the model's file with that role
 * (e.g. a labels file). The role always exists in the manifest's {@code files}.
 */
public record FileValue(String role) {
}
