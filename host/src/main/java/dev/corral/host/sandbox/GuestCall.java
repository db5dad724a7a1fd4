package dev.corral.host.sandbox;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.util.function.Supplier;

/**
 * Runs guest code (a start function, an export) under the plugin's deadline and turns whatever
 * stopped it into the {@link ServingException} of ABI.md §6.
 */
final class GuestCall {
    private GuestCall() {
    }

    /**
     * @param activity where the guest was, for messages: {@code "in 'process'"}, {@code "while instantiating"}
     * @throws ServingException when the guest trapped, ran past the deadline or a host function refused it
     */
    static <T> T run(PluginDefinition plugin, String activity, Supplier<T> guest) {
        Watchdog.Deadline deadline = plugin.watchdog().arm(plugin.limits().deadline());
        T result;
        try {
            result = guest.get();
        } catch (RuntimeException | StackOverflowError e) {
            throw failure(plugin, activity, e, deadline.disarm());
        } catch (Throwable t) {
            deadline.disarm();
            throw t;
        }
        deadline.disarm();
        return result;
    }

    private static ServingException failure(PluginDefinition plugin, String activity, Throwable e, boolean deadlinePassed) {
        String who = "plugin '" + plugin.name() + "' ";
        GuestFault fault = find(e, GuestFault.class);
        if (fault != null) {
            return new ServingException(fault.kind, who + summary(fault.kind) + " " + activity + ": " + fault.getMessage());
        }
        if (deadlinePassed) {
            return new ServingException(ErrorKind.PLUGIN_DEADLINE_EXCEEDED, who + "ran past its deadline of "
                    + plugin.limits().deadline().toMillis() + " ms " + activity, e);
        }
        if (find(e, ChicoryInterruptedException.class) != null) {
            // Someone else interrupted this thread (the request was cancelled): keep the flag for them.
            Thread.currentThread().interrupt();
            return new ServingException(ErrorKind.INTERNAL, who + "was interrupted " + activity, e);
        }
        String reason = e instanceof StackOverflowError ? "call stack exhausted" : String.valueOf(e.getMessage());
        return new ServingException(ErrorKind.PLUGIN_FAILED, who + "trapped " + activity + ": " + reason, e);
    }

    private static String summary(ErrorKind kind) {
        return switch (kind) {
            case PLUGIN_ABI_VIOLATION -> "violated the ABI";
            case PLUGIN_LIMIT_EXCEEDED -> "exceeded its output limit";
            case INVALID_OPTION -> "cannot use an option";
            default -> "failed";
        };
    }

    private static <X extends Throwable> X find(Throwable e, Class<X> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
