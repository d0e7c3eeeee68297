package org.geneformer4j.dataset;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/** The column types a tokenized dataset holds, with their Arrow types and Hugging Face feature descriptions. */
public enum ColumnType {
    INT32_LIST("int32"), INT64_LIST("int64"), INT64("int64"), INT32("int32"), FLOAT64("float64"),
    FLOAT32("float32"), BOOL("bool"), STRING("string");

    private final String dtype;

    ColumnType(String dtype) {
        this.dtype = dtype;
    }

    public boolean isList() {
        return this == INT32_LIST || this == INT64_LIST;
    }

    Field arrowField(String name) {
        return switch (this) {
            case INT32_LIST, INT64_LIST -> new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(new Field("item", FieldType.nullable(new ArrowType.Int(this == INT32_LIST ? 32 : 64, true)), null)));
            case INT64 -> new Field(name, FieldType.nullable(new ArrowType.Int(64, true)), null);
            case INT32 -> new Field(name, FieldType.nullable(new ArrowType.Int(32, true)), null);
            case FLOAT64 -> new Field(name, FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null);
            case FLOAT32 -> new Field(name, FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null);
            case BOOL -> new Field(name, FieldType.nullable(ArrowType.Bool.INSTANCE), null);
            case STRING -> new Field(name, FieldType.nullable(ArrowType.Utf8.INSTANCE), null);
        };
    }

    /**
     * The {@code datasets} feature. Lists are written as {@code Sequence}, which every {@code datasets} version
     * loads (4.x and later read it as {@code List}; older versions know only {@code Sequence}).
     */
    ObjectNode hfFeature() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode value = f.objectNode();
        value.put("dtype", dtype);
        value.put("_type", "Value");
        if (!isList()) {
            return value;
        }
        ObjectNode seq = f.objectNode();
        seq.set("feature", value);
        seq.put("_type", "Sequence");
        return seq;
    }

    /** The column type of an Arrow field, or null when it is none this program writes. */
    static ColumnType of(Field field) {
        ArrowType t = field.getType();
        if (t instanceof ArrowType.List || t instanceof ArrowType.LargeList) {
            ArrowType child = field.getChildren().get(0).getType();
            if (child instanceof ArrowType.Int i) {
                return i.getBitWidth() <= 32 ? INT32_LIST : INT64_LIST;
            }
            return null;
        }
        if (t instanceof ArrowType.Int i) return i.getBitWidth() <= 32 ? INT32 : INT64;
        if (t instanceof ArrowType.FloatingPoint fp) return fp.getPrecision() == FloatingPointPrecision.DOUBLE ? FLOAT64 : FLOAT32;
        if (t instanceof ArrowType.Bool) return BOOL;
        if (t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8) return STRING;
        return null;
    }
}
