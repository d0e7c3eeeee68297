package org.geneformer4j.distributed;

import java.time.Duration;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;

/**
 * A group's rendezvous store under the bindings' ownership rule ({@link GlooGroup}'s notes): Java keeps the raw
 * store it allocated and never passes it to C++; {@link #shared()} is its reference-counted clone, which may be
 * passed to C++ constructors any number of times.
 */
record Rendezvous(Store raw, Store shared) implements AutoCloseable {
    static Rendezvous of(Store raw) {
        return new Rendezvous(raw, raw.clone());
    }

    /** A TCPStore at {@code host:port} that rank 0 serves: the rendezvous of every backend. */
    static Rendezvous tcp(String host, int port, int rank, int worldSize, Duration timeout) {
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) port).isServer(rank == 0).numWorkers(new SizeTPointer(1).put(worldSize)).waitWorkers(false)
                .timeout(new Milliseconds(timeout.toMillis()));
        return of(new TCPStore(host, o));
    }

    /** The clone first, then the raw store (rank 0's TCPStore server last). */
    @Override
    public void close() {
        shared.close();
        raw.close();
    }
}
