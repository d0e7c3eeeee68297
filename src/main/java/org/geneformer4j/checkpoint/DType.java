package org.geneformer4j.checkpoint;

import org.geneformer4j.checkpoint.DType;

import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.util.UserException;

/** Element types that appear in checkpoints, with their safetensors and torch storage names. */
public enum DType {
    F64("F64", "DoubleStorage", 8, ScalarType.Double),
    F32("F32", "FloatStorage", 4, ScalarType.Float),
    F16("F16", "HalfStorage", 2, ScalarType.Half),
    BF16("BF16", "BFloat16Storage", 2, ScalarType.BFloat16),
    I64("I64", "LongStorage", 8, ScalarType.Long),
    I32("I32", "IntStorage", 4, ScalarType.Int),
    I16("I16", "ShortStorage", 2, ScalarType.Short),
    I8("I8", "CharStorage", 1, ScalarType.Char),
    U8("U8", "ByteStorage", 1, ScalarType.Byte),
    BOOL("BOOL", "BoolStorage", 1, ScalarType.Bool);

    public final String safetensorsName;
    public final String torchStorage;
    public final int bytes;
    public final ScalarType scalarType;

    DType(String safetensorsName, String torchStorage, int bytes, ScalarType scalarType) {
        this.safetensorsName = safetensorsName;
        this.torchStorage = torchStorage;
        this.bytes = bytes;
        this.scalarType = scalarType;
    }

    public static DType ofSafetensors(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        throw new UserException("unsupported safetensors dtype " + name);
    }

    public static DType ofTorchStorage(String name) {
        for (DType d : values()) {
            if (d.torchStorage.equals(name)) {
                return d;
            }
        }
        throw new UserException("unsupported torch storage type " + name);
    }

    public static DType of(ScalarType t) {
        for (DType d : values()) {
            if (d.scalarType.value == t.value) {
                return d;
            }
        }
        throw new IllegalArgumentException("no checkpoint dtype for " + t);
    }
}
