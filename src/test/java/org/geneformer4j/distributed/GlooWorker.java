package org.geneformer4j.distributed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.tensor.Tensors;

/**
 * One rank of {@link GlooGroupTest}: {@code java ... GlooWorker tcp|file PORT|FILE RANK WORLD collectives|vanish}.
 * Checks every result itself, prints {@code OK ...} lines, exits 0 only if all hold.
 */
public final class GlooWorker {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    public static void main(String[] a) {
        String how = a[0];
        int rank = Integer.parseInt(a[2]);
        int world = Integer.parseInt(a[3]);
        Duration timeout = a[4].equals("vanish") ? Duration.ofSeconds(10) : TIMEOUT;
        GlooGroup g = how.equals("tcp") ? GlooGroup.tcp("127.0.0.1", Integer.parseInt(a[1]), rank, world, timeout, "127.0.0.1")
                : GlooGroup.file(Path.of(a[1]), rank, world, timeout, "127.0.0.1");
        System.out.println("OK rendezvous rank " + g.rank() + " of " + g.worldSize());
        if (a[4].equals("vanish")) {
            vanish(g);
            return;
        }
        collectives(g);
        g.barrier();
        g.close();
        System.out.println("OK closed");
        System.exit(0); // past the checks: do not wait for LibTorch's threads
    }

    /** Rank 1 leaves without a word; rank 0's next collective must fail as a Java exception, not kill the JVM. */
    static void vanish(GlooGroup g) {
        if (g.rank() != 0) {
            System.out.println("OK leaving");
            Runtime.getRuntime().halt(0);
        }
        try {
            Thread.sleep(1000);
            g.allreduceSum(torch.ones(4));
            System.out.println("FAIL no error after a peer left");
            Runtime.getRuntime().halt(3);
        } catch (RuntimeException e) {
            System.out.println("OK caught " + e.getClass().getName() + ": " + e.getMessage().lines().findFirst().orElse(""));
            Runtime.getRuntime().halt(0);
        } catch (InterruptedException e) {
            Runtime.getRuntime().halt(4);
        }
    }

    /** All-reduce, broadcast, flat-bucket gradient averaging, parameter broadcast and c10d's Reducer, checked. */
    static void collectives(GlooGroup g) {
        int r = g.rank();
        int w = g.worldSize();
        try (PointerScope scope = new PointerScope()) {
            Tensor t = torch.full(new long[] {5}, new Scalar(r + 1.0));
            g.allreduceSum(t);
            expect("allreduce sum", w * (w + 1) / 2.0, t);

            Tensor m = torch.full(new long[] {3}, new Scalar(r + 1.0));
            g.allreduce(m, ReduceOp.RedOpType.MAX);
            expect("allreduce max", w, m);
            Tensor avg = torch.full(new long[] {3}, new Scalar(r + 1.0));
            g.allreduce(avg, ReduceOp.RedOpType.AVG);
            expect("allreduce avg", (w + 1) / 2.0, avg);

            Tensor b = r == 0 ? torch.arange(new Scalar(6)).to(torch.ScalarType.Float).mul(new Scalar(1.5)) : torch.zeros(6);
            g.broadcast(b, 0);
            float[] bv = Tensors.floatArray(b);
            for (int i = 0; i < 6; i++) {
                check("broadcast[" + i + "]", 1.5 * i, bv[i]);
            }
            System.out.println("OK broadcast " + java.util.Arrays.toString(bv));

            // gradients: d/dw1 = r+1, d/dw2 = (r+1)^2, w3 unused (no gradient)
            double meanSquares = 0;
            for (int k = 1; k <= w; k++) {
                meanSquares += (double) k * k / w;
            }
            Tensor w1 = torch.ones(3, 4);
            Tensor w2 = torch.ones(5);
            Tensor w3 = torch.ones(2);
            for (Tensor p : List.of(w1, w2, w3)) {
                p.requires_grad_(true);
            }
            w1.sum().mul(new Scalar(r + 1.0)).add(w2.sum().mul(new Scalar((r + 1.0) * (r + 1.0)))).backward();
            g.averageGradients(List.of(w1, w2, w3));
            expect("flat gradient average w1", (w + 1) / 2.0, w1.grad());
            expect("flat gradient average w2", meanSquares, w2.grad());
            expect("flat gradient average, no gradient", 0, w3.grad());

            // DDP's start: rank 0's parameters everywhere
            Tensor p1 = torch.full(new long[] {4}, new Scalar(10.0 * (r + 1)));
            Tensor p2 = torch.full(new long[] {2, 2}, new Scalar(-1.0 * (r + 1)));
            p1.requires_grad_(true);
            p2.requires_grad_(true);
            g.broadcastParameters(List.of(p1, p2), 0);
            expect("parameter broadcast p1", 10, p1);
            expect("parameter broadcast p2", -1, p2);

            reducer(g, meanSquares);
        }
    }

    /** c10d's Reducer (what DDP runs): gradients averaged by autograd hooks during backward, twice. */
    static void reducer(GlooGroup g, double meanSquares) {
        int r = g.rank();
        int w = g.worldSize();
        Tensor a = torch.ones(6);
        Tensor c = torch.ones(2, 3);
        a.requires_grad_(true);
        c.requires_grad_(true);
        TensorVector params = new TensorVector(a, c);
        var buckets = torch.compute_bucket_assignment_by_size(params, new SizeTVector(1L << 20, 25L << 20));
        Reducer reducer = new Reducer(params, buckets.get0(), g.processGroup(), new BoolVector(false, false), 25L << 20,
                false, false, new SizeTStringMap(), 1L << 20, false, false);
        for (int it = 1; it <= 2; it++) {
            reducer.prepare_for_forward();
            Tensor loss = a.sum().mul(new Scalar((r + 1.0) * it)).add(c.sum().mul(new Scalar((r + 1.0) * (r + 1.0))));
            reducer.prepare_for_backward(new TensorVector());
            loss.backward();
            expect("reducer step " + it + " a", (w + 1) / 2.0 * it, a.grad());
            expect("reducer step " + it + " c", meanSquares, c.grad());
            a.grad().zero_();
            c.grad().zero_();
        }
        reducer.close();
    }

    static void expect(String what, double value, Tensor t) {
        for (float v : Tensors.floatArray(t.detach().to(torch.ScalarType.Float))) {
            check(what, value, v);
        }
        System.out.println("OK " + what + " = " + value);
    }

    static void check(String what, double expected, double actual) {
        if (Math.abs(expected - actual) > 1e-6) {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual);
        }
    }
}
