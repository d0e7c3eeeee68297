package org.geneformer4j.tensor;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.FunctionSchema;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.IntOptional;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

/**
 * ATen operators called by their schema name through the dispatcher, for the ops bytedeco maps no Java method
 * for (the variable-length attention kernels). The call goes through every dispatch key, autograd included, as a
 * call from Python would. A boxed call takes every argument of the schema, keyword-only ones too, in order.
 */
public final class AtenOps {
    static {
        LibTorch.init();
    }

    private static final Map<String, OperatorHandle> HANDLES = new ConcurrentHashMap<>();

    private AtenOps() {}

    /** Runs {@code op} ("aten::name" or "aten::name.overload") on {@code args}; returns its outputs in order. */
    public static IValueVector call(String op, IValue... args) {
        IValueVector stack = new IValueVector(args);
        handle(op).callBoxed(stack);
        return stack;
    }

    /**
     * {@code tensors} as one {@code Tensor[]} argument (the foreach and fused optimizer ops take such lists). bytedeco
     * has no IValue constructor for a tensor list, but a generic list whose element type is Tensor is one, as c10
     * stores them: the element type is taken once from a list an op returned.
     */
    public static IValue list(List<Tensor> tensors) {
        GenericList l = new GenericList(TensorListType.TYPE);
        l.reserve(tensors.size());
        for (Tensor t : tensors) {
            l.push_back(new IValue(t));
        }
        return new IValue(l);
    }

    private static final class TensorListType {
        static final Type.TypePtr TYPE;

        static {
            IValue returned = call("aten::unbind.int", new IValue(torch.zeros(1)), new IValue(0L)).get(0);
            if (!returned.isTensorList()) {
                throw new IllegalStateException("aten::unbind did not return a tensor list");
            }
            // a copy that outlives the scope of the first caller
            TYPE = new Type.TypePtr(returned.toList().elementType());
            TYPE.retainReference();
        }
    }

    /** The position of every named argument in the op's schema (-1 where absent): what a test checks our calls against. */
    public static int[] argumentPositions(String op, String... names) {
        FunctionSchema s = handle(op).schema();
        int[] pos = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            IntOptional ix = s.argumentIndexWithName(names[i]);
            pos[i] = ix.has_value() ? ix.get() : -1;
        }
        return pos;
    }

    private static OperatorHandle handle(String op) {
        return HANDLES.computeIfAbsent(op, o -> {
            int dot = o.indexOf('.', o.indexOf("::") + 2);
            OperatorHandle h = Dispatcher.singleton().findSchemaOrThrow(dot < 0 ? o : o.substring(0, dot),
                    dot < 0 ? "" : o.substring(dot + 1));
            // The handle is a native copy that the caller's PointerScope (a batch's) would free on close; the cache
            // outlives every batch. (On the first GPU run, every batch after the first failed with a NULL pointer.)
            h.retainReference();
            return h;
        });
    }
}
