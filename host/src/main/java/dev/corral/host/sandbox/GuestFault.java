package dev.corral.host.sandbox;

import dev.corral.host.error.ErrorKind;

/**
 * Thrown by a host function to abort the guest's call with a client-visible kind (an ABI
 * violation, a limit, a parameter of the wrong type). The message does not yet name the plugin;
 * {@link GuestCall} adds that. Stackless: the guest's stack means nothing to the reader.
 */
final class GuestFault extends RuntimeException {
    final ErrorKind kind;

    GuestFault(ErrorKind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    static GuestFault abi(String message) {
        return new GuestFault(ErrorKind.PLUGIN_ABI_VIOLATION, message);
    }
}
