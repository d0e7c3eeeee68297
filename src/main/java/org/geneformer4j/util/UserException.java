package org.geneformer4j.util;

/**
 * An error caused by the user's input or options. The CLI prints its message as one line and exits 1,
 * so the message must say what is wrong and, where possible, what to do about it.
 */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
