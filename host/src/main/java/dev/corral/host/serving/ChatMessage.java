package dev.corral.host.serving;

import dev.corral.host.error.ErrorKind;
import dev.corral.host.error.ServingException;
import java.util.Set;

/**
 * One message of a chat request.
 *
 * @param role    {@code system}, {@code user} or {@code assistant}
 * @param content the message's text
 */
public record ChatMessage(String role, String content) {
    public static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /** @throws ServingException BAD_REQUEST for a role the prompt plugins do not know */
    public ChatMessage {
        if (!ROLES.contains(role)) {
            throw new ServingException(ErrorKind.BAD_REQUEST, "a message's role is \"" + role
                    + "\"; expected system, user or assistant");
        }
    }
}
