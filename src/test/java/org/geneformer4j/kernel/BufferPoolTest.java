package org.geneformer4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.Pointer;
import org.geneformer4j.kernel.BufferPool.Buffer;
import org.geneformer4j.kernel.BufferPool.Kind;
import org.junit.jupiter.api.Test;

/**
 * The pool's bookkeeping of lent buffers, on host memory (JavaCPP's malloc: no libgeneformer_native or GPU needed).
 * A buffer still out at close is reported, with how many and how much, instead of leaking in silence.
 */
class BufferPoolTest {
    @Test
    void closingWithBuffersCheckedOutFailsSayingHowMany() {
        BufferPool pool = new BufferPool(0);
        Buffer small = pool.acquire(Kind.HOST, 100);
        Buffer a = pool.acquire(Kind.HOST, 1000);
        Buffer b = pool.acquire(Kind.HOST, 1000);
        pool.release(small);
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(e.getMessage().contains("2 buffer(s) (2048 bytes) still checked out"), e.getMessage());
        Pointer.free(a.pointer()); // the pool leaves them alone (they may be in use); the test owns them now
        Pointer.free(b.pointer());
    }

    @Test
    void closingWithEverythingReturnedIsQuietAndReturnedBuffersAreReused() {
        try (BufferPool pool = new BufferPool(0)) {
            Buffer first = pool.acquire(Kind.HOST, 1000);
            pool.release(first);
            Buffer again = pool.acquire(Kind.HOST, 700); // the same power-of-two class
            assertSame(first, again);
            assertEquals(1, pool.allocations());
            pool.release(again);
        }
    }

    @Test
    void aBufferReleasedTwiceIsRefusedAndNeverLentToTwoUsers() {
        try (BufferPool pool = new BufferPool(0)) {
            Buffer b = pool.acquire(Kind.HOST, 64);
            pool.release(b);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(b));
            assertTrue(e.getMessage().contains("not lent out"), e.getMessage());
            Buffer x = pool.acquire(Kind.HOST, 64), y = pool.acquire(Kind.HOST, 64);
            assertTrue(x != y && !x.pointer().equals(y.pointer()), "one buffer lent twice");
            pool.release(x);
            pool.release(y);
        }
    }

    @Test
    void anotherPoolsBufferIsRefused() {
        try (BufferPool mine = new BufferPool(0); BufferPool theirs = new BufferPool(0)) {
            Buffer b = theirs.acquire(Kind.HOST, 64);
            assertThrows(IllegalStateException.class, () -> mine.release(b));
            theirs.release(b);
        }
    }
}
