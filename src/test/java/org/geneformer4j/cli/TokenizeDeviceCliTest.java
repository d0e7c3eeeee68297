package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.geneformer4j.TestData;
import org.geneformer4j.kernel.NativeBuild;
import org.geneformer4j.kernel.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tokenize --device cuda is the rule of every command: a GPU (with the native library) or one error line, never a
 * quiet run on the CPU; where a GPU is present it runs the kernel and gives the CPU's tokens.
 */
class TokenizeDeviceCliTest {
    @TempDir
    Path tmp;

    @Test
    void cudaMeansAGpuOrAnError() throws Exception {
        Path cpu = tmp.resolve("cpu.dataset"), cuda = tmp.resolve("cuda.dataset");
        Cli a = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", cpu.toString());
        assertEquals(0, a.exit(), a.err());
        Cli b = Cli.run("--verbose", "tokenize", "-i", TestData.example().toString(), "-o", cuda.toString(), "--device", "cuda");
        // in CI a missing library fails here rather than passing through the branch for machines without one
        boolean loaded = NativeBuild.loadable();
        if (!loaded || NativeLibrary.status().cudaDevices() == 0) {
            assertEquals(1, b.exit(), b.err());
            assertEquals(1, b.errorLines(), b.err());
            assertTrue(b.err().contains("error: --device cuda:") && b.err().contains("--device cpu"), b.err());
            assertTrue(!Files.exists(cuda), "nothing written");
        } else {
            assertEquals(0, b.exit(), b.err());
            assertTrue(b.err().contains("fused CUDA kernel on cuda:0"), b.err());
            assertEquals(org.geneformer4j.tokenize.NativeTokenizerTest.tokensOf(cpu), org.geneformer4j.tokenize.NativeTokenizerTest.tokensOf(cuda));
        }
        Cli bad = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", tmp.resolve("x").toString(), "--device", "gpu");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--device must be cpu, cuda or cuda:N"), bad.err());
    }
}
