package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorLineTest {
    private static final String CUDA = "CUDA out of memory. Tried to allocate 576.00 MiB.\n"
            + "Exception raised from malloc at CUDACachingAllocator.cpp:1574 (most recent call first):\n"
            + "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0xac";

    @Test
    void aLibTorchErrorIsItsFirstLineUnlessVerbose() {
        assertEquals("error: CUDA out of memory. Tried to allocate 576.00 MiB.",
                Main.errorLine(new RuntimeException(CUDA), false));
        assertEquals("error: " + CUDA, Main.errorLine(new RuntimeException(CUDA), true));
    }

    @Test
    void anErrorWithoutAMessageIsNamedByItsClass() {
        assertEquals("error: java.lang.IllegalStateException", Main.errorLine(new IllegalStateException(), false));
    }
}
