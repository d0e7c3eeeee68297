package org.geneformer4j.util;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Option values that name an enum constant. */
public final class Choices {
    private Choices() {}

    /** The constant named {@code value} (any case), or one error line listing the choices. */
    public static <E extends Enum<E>> E of(Class<E> type, String value, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new UserException("unknown " + option + " '" + value + "' (" + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ")");
    }
}
