package org.geneformer4j.checkpoint;

import org.geneformer4j.checkpoint.DType;
import org.geneformer4j.checkpoint.TorchPickle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.geneformer4j.util.UserException;

/**
 * A restricted unpickler for the {@code data.pkl} of a torch zip checkpoint. It understands the opcodes that
 * {@code torch.save} emits for a state dict (containers, numbers, strings, persistent storage ids) and calls only
 * the few globals that rebuild tensors and ordered dicts. Any other global is refused, so a checkpoint cannot run
 * code the way Python's {@code pickle.load} would let it.
 */
final class TorchPickle {
    /** A tensor's storage in the archive: {@code data/<key>}. */
    record StorageRef(String key, DType dtype, long numel) {}

    /** A tensor view on a storage, as {@code torch._utils._rebuild_tensor_v2} describes it. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    private record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    private static final Object MARK = new Object();
    private static final Set<String> CALLABLE = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state");

    private final ByteBuffer in;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    private TorchPickle(byte[] data, String source) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /** Unpickles {@code data} and returns the top-level object (for a state dict, a map of name to TensorRef). */
    static Object load(byte[] data, String source) {
        try {
            return new TorchPickle(data, source).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | ClassCastException e) {
            throw new UserException(source + " is corrupt: its pickle ends early or is malformed");
        }
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> push(MARK);
                case ')' -> push(new Tuple(List.of()));
                case ']' -> push(new ArrayList<>());
                case '}' -> push(new LinkedHashMap<>());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                case 'J' -> push((long) in.getInt()); // BININT
                case 0x8a -> push(long1(in.get() & 0xff)); // LONG1
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT is big-endian
                case 'X' -> push(string(in.getInt())); // BINUNICODE
                case 0x8c -> push(string(in.get() & 0xff)); // SHORT_BINUNICODE
                case 'T' -> push(string(in.getInt())); // BINSTRING
                case 'U' -> push(string(in.get() & 0xff)); // SHORT_BINSTRING
                case 'c' -> push(new Global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    String name = (String) pop();
                    push(new Global((String) pop(), name));
                }
                case 'q' -> memo.put(in.get() & 0xff, peek()); // BINPUT
                case 'r' -> memo.put(in.getInt(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put(memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memo.get(in.get() & 0xff)); // BINGET
                case 'j' -> push(memo.get(in.getInt())); // LONG_BINGET
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85 -> push(new Tuple(Arrays.asList(pop()))); // TUPLE1
                case 0x86 -> { // TUPLE2
                    Object b = pop();
                    push(new Tuple(Arrays.asList(pop(), b)));
                }
                case 0x87 -> { // TUPLE3
                    Object c = pop();
                    Object b = pop();
                    push(new Tuple(Arrays.asList(pop(), b, c)));
                }
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                    push(m);
                }
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    map(peek()).put(k, v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    Map<Object, Object> m = map(peek());
                    for (int i = 0; i < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case 'R' -> { // REDUCE
                    Tuple args = (Tuple) pop();
                    push(call(pop(), args.items()));
                }
                case 'b' -> pop(); // BUILD: the state of an OrderedDict (its _metadata) is not needed
                default -> throw new UserException(source + " uses pickle opcode 0x" + Integer.toHexString(op)
                        + ", which a state dict does not need; refusing to load it");
            }
        }
    }

    private record Tuple(List<Object> items) {}

    private Object call(Object fn, List<Object> args) {
        if (!(fn instanceof Global g) || !CALLABLE.contains(g.qualified())) {
            String what = fn instanceof Global g2 ? g2.qualified() : String.valueOf(fn);
            throw new UserException(source + " asks to call " + what
                    + "; only tensors and containers are allowed in a checkpoint, so it was not loaded");
        }
        switch (g.qualified()) {
            case "collections.OrderedDict":
                return new LinkedHashMap<>();
            case "torch._utils._rebuild_tensor_v2": {
                StorageRef s = (StorageRef) args.get(0);
                return new TensorRef(s, (Long) args.get(1), longs(args.get(2)), longs(args.get(3)));
            }
            default: // _rebuild_parameter(data, requires_grad, backward_hooks[, state])
                return args.get(0);
        }
    }

    private Object persistentLoad(Object pid) {
        List<Object> t = ((Tuple) pid).items();
        if (t.size() < 5 || !"storage".equals(t.get(0))) {
            throw new UserException(source + " has a persistent id that is not a tensor storage");
        }
        Global type = (Global) t.get(1);
        if (!type.module().equals("torch")) {
            throw new UserException(source + " has a storage of unknown type " + type.qualified());
        }
        return new StorageRef((String) t.get(2), DType.ofTorchStorage(type.name()), ((Number) t.get(4)).longValue());
    }

    private static long[] longs(Object tuple) {
        List<Object> items = ((Tuple) tuple).items();
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Long) items.get(i);
        }
        return out;
    }

    private long long1(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (in.get() & 0xff) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v -= 1L << (8 * n);
        }
        return v;
    }

    private String string(int len) {
        byte[] b = new byte[len];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private String line() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte c = in.get(); c != '\n'; c = in.get()) {
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        return (Map<Object, Object>) o;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        int i = stack.size() - 1;
        while (stack.get(i) != MARK) {
            i--;
        }
        List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
        stack.subList(i, stack.size()).clear();
        return items;
    }
}
