package dev.corral.host.http;

import dev.corral.host.error.ServingException;
import dev.corral.host.generate.GenerationResult;
import dev.corral.host.generate.TokenEvent;
import java.util.List;

/** How one streaming surface (Corral's own, OpenAI's completions or chat) writes a generation's events. */
interface StreamFormat {
    /** The events that open the stream (e.g. OpenAI chat's role chunk). */
    default List<String> start() {
        return List.of();
    }

    /** The data of one step's event, or null to send none for it. */
    String token(TokenEvent event);

    /** The events after the last step (before {@code [DONE]}). */
    List<String> finish(GenerationResult result);

    /** The in-band event for a failure after the 200. */
    String error(ServingException failure);
}
