package dev.corral.host.generate;

/**
 * One step of a generation as a client sees it.
 *
 * @param index   0 for the first generated token; for an echoed prompt token, its position in the prompt
 * @param tokenId the token's id, or -1 for text that the end of the generation released (held back
 *                until then: a character split at the very end, or a partial stop string)
 * @param text    the text this step completes, possibly empty (bytes of a character still incomplete,
 *                or a possible stop string held back)
 * @param echo    whether this is a prompt token echoed back (requests with {@code echo})
 */
public record TokenEvent(int index, int tokenId, String text, boolean echo) {
}
