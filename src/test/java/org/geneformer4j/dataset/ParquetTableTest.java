package org.geneformer4j.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.geneformer4j.TestData;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ParquetTable against pyarrow: one table written with every codec, data page version and encoding the reader
 * claims (src/test/resources/parquet, from scripts/fixtures/parquet_fixtures.py), read back value for value; and
 * what it does not support, refused with a message that says what. expected.json holds pyarrow's values and what
 * each file holds, read from the file's own page headers by the generator.
 */
class ParquetTableTest {
    private static final Path DIR = TestData.resource("parquet");
    private static final JsonNode EXPECTED = read(DIR.resolve("expected.json"));

    private static JsonNode read(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<String> readable() {
        return names(EXPECTED.get("files")).stream();
    }

    static Stream<Arguments> refused() {
        return names(EXPECTED.get("refused")).stream().map(f -> Arguments.of(f, EXPECTED.get("refused").get(f).asText()));
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Losing a fixture, or the generator losing a combination, must not quietly shrink what is tested. */
    @Test
    void theFixturesCoverEveryClaimedCodecPageVersionAndEncoding() throws IOException {
        Set<String> seen = new HashSet<>();
        for (String f : names(EXPECTED.get("files"))) {
            for (JsonNode col : EXPECTED.get("files").get(f).get("columns")) {
                String codec = col.get("codec").get(0).asText();
                for (JsonNode page : col.get("page_types")) {
                    for (JsonNode enc : col.get("data_page_encodings")) {
                        if (!page.asText().equals("DICTIONARY_PAGE")) {
                            seen.add(codec + " " + page.asText() + " " + enc.asText());
                        }
                    }
                }
                if (col.get("data_page_encodings").size() > 1) {
                    seen.add("dictionary falling back to " + col.get("data_page_encodings"));
                }
            }
        }
        for (String codec : List.of("UNCOMPRESSED", "SNAPPY", "GZIP")) {
            for (String page : List.of("DATA_PAGE", "DATA_PAGE_V2")) {
                for (String enc : List.of("PLAIN", "RLE_DICTIONARY")) {
                    assertTrue(seen.contains(codec + " " + page + " " + enc), codec + " " + page + " " + enc + " in " + seen);
                }
            }
        }
        assertTrue(seen.contains("GZIP DATA_PAGE PLAIN_DICTIONARY"), seen.toString()); // format 1.0's name
        assertTrue(seen.contains("SNAPPY DATA_PAGE_V2 RLE"), seen.toString()); // booleans in v2 pages
        assertTrue(seen.contains("dictionary falling back to [\"PLAIN\",\"RLE_DICTIONARY\"]"), seen.toString());
        Set<String> listed = new TreeSet<>(names(EXPECTED.get("files")));
        listed.addAll(names(EXPECTED.get("refused")));
        try (Stream<Path> s = Files.list(DIR)) {
            Set<String> present = new TreeSet<>(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).toList());
            assertEquals(listed, present, "every fixture is tested and every tested fixture is there");
        }
    }

    @ParameterizedTest
    @MethodSource("readable")
    void readsPyarrowsValuesOneBatchPerRowGroup(String file) {
        JsonNode types = EXPECTED.get("types"), values = EXPECTED.get("values");
        List<Column> columns = new ArrayList<>();
        types.fieldNames().forEachRemaining(n -> columns.add(new Column(n, ColumnType.valueOf(types.get(n).asText()))));
        List<Integer> groups = new ArrayList<>();
        int row = 0;
        try (DatasetReader r = Datasets.open(DIR.resolve(file))) {
            assertEquals(columns, r.columns());
            while (r.hasNext()) {
                RowBatch b = r.next();
                groups.add(b.rows());
                for (int c = 0; c < columns.size(); c++) {
                    Column col = columns.get(c);
                    for (int i = 0; i < b.rows(); i++) {
                        assertValue(col.type(), values.get(col.name()).get(row + i), b.columns()[c], i,
                                file + " " + col.name() + " row " + (row + i));
                    }
                }
                row += b.rows();
            }
        }
        assertEquals(EXPECTED.get("rows").asInt(), row);
        List<Integer> expectedGroups = new ArrayList<>();
        EXPECTED.get("files").get(file).get("row_groups").forEach(g -> expectedGroups.add(g.asInt()));
        assertEquals(expectedGroups, groups, "one batch per row group");
    }

    /**
     * pyarrow's value against the reader's. RowBatch has no null masks, so a null comes out as the reader's
     * stand-in: 0 for integers, NaN for floats, false for booleans, null for strings, an empty list for a null
     * list and 0 for a null element of a list.
     */
    private static void assertValue(ColumnType type, JsonNode want, Object column, int i, String where) {
        switch (type) {
            case INT32 -> assertEquals(want.isNull() ? 0 : want.asInt(), ((int[]) column)[i], where);
            case INT64 -> assertEquals(want.isNull() ? 0 : want.asLong(), ((long[]) column)[i], where);
            case FLOAT32 -> assertEquals(want.isNull() ? Float.NaN : (float) want.asDouble(), ((float[]) column)[i], 0f, where);
            case FLOAT64 -> assertEquals(want.isNull() ? Double.NaN : want.asDouble(), ((double[]) column)[i], 0.0, where);
            case BOOL -> assertEquals(!want.isNull() && want.asBoolean(), ((boolean[]) column)[i], where);
            case STRING -> assertEquals(want.isNull() ? null : want.asText(), ((String[]) column)[i], where);
            case INT32_LIST, INT64_LIST -> {
                List<Integer> list = new ArrayList<>();
                for (Iterator<JsonNode> it = want.elements(); it.hasNext(); ) {
                    JsonNode v = it.next();
                    list.add(v.isNull() ? 0 : v.asInt());
                }
                assertArrayEquals(list.stream().mapToInt(Integer::intValue).toArray(), ((int[][]) column)[i], where);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("refused")
    void whatItDoesNotReadIsRefusedSayingWhat(String file, String message) {
        UserException e = assertThrows(UserException.class, () -> {
            try (DatasetReader r = Datasets.open(DIR.resolve(file))) {
                while (r.hasNext()) {
                    r.next();
                }
            }
        });
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains("corrupt"), "a supported-or-not question, not damage: " + e.getMessage());
    }
}
