package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.geneformer4j.TestData;
import org.geneformer4j.nativ.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenize --device cuda without a GPU (or without the native library) falls back to the CPU and says so at --verbose. */
class TokenizeDeviceCliTest {
    @TempDir
    Path tmp;

    @Test
    void cudaWithoutAGpuRunsTheCpuPathAndSaysWhich() throws Exception {
        Path cpu = tmp.resolve("cpu.dataset"), cuda = tmp.resolve("cuda.dataset");
        Cli a = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", cpu.toString());
        assertEquals(0, a.exit(), a.err());
        Cli b = Cli.run("--verbose", "tokenize", "-i", TestData.example().toString(), "-o", cuda.toString(), "--device", "cuda");
        assertEquals(0, b.exit(), b.err());
        NativeLibrary.Status st = NativeLibrary.status();
        if (st.cudaDevices() == 0) {
            assertTrue(b.err().contains("the Java CPU encoder runs"), b.err());
        } else {
            assertTrue(b.err().contains("fused CUDA kernel on cuda:0"), b.err());
        }
        assertEquals(org.geneformer4j.tokenize.NativeTokenizerTest.tokensOf(cpu), org.geneformer4j.tokenize.NativeTokenizerTest.tokensOf(cuda));
        Cli bad = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", tmp.resolve("x").toString(), "--device", "gpu");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("--device must be cpu, cuda or cuda:N"), bad.err());
    }
}
