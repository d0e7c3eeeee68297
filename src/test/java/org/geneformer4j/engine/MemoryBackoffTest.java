package org.geneformer4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;

class MemoryBackoffTest {
    /** A "device" that holds at most {@code limit} items per call, as a GPU holds so many tokens. */
    static List<Integer> squares(List<Integer> batch, int limit, List<Integer> sizes) {
        sizes.add(batch.size());
        if (batch.size() > limit) {
            throw new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB");
        }
        return batch.stream().map(x -> x * x).toList();
    }

    @Test
    void halvesUntilTheBatchFitsAndKeepsTheOrder() {
        List<Integer> batch = IntStream.range(0, 10).boxed().toList();
        List<Integer> sizes = new ArrayList<>();
        List<Integer> halved = new ArrayList<>();
        List<Integer> out = MemoryBackoff.run(batch, b -> squares(b, 3, sizes), halved::add);
        assertEquals(batch.stream().map(x -> x * x).toList(), out);
        assertEquals(List.of(10, 5, 5), halved.subList(0, 3));
        assertTrue(sizes.stream().filter(s -> s <= 3).mapToInt(Integer::intValue).sum() == 10, "every item ran once: " + sizes);
    }

    @Test
    void otherErrorsAndASingleCellThatDoesNotFitAreNotRetried() {
        assertThrows(IllegalStateException.class, () -> MemoryBackoff.run(List.of(1, 2), b -> {
            throw new IllegalStateException("shape mismatch");
        }, n -> { }));
        UserException e = assertThrows(UserException.class,
                () -> MemoryBackoff.run(List.of(1, 2, 3), b -> squares(b, 0, new ArrayList<>()), n -> { }));
        assertTrue(e.getMessage().startsWith("out of device memory on a single cell"), e.getMessage());
    }
}
