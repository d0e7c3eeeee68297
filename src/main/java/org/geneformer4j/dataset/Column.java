package org.geneformer4j.dataset;

/** A named, typed column of a dataset's schema. */
public record Column(String name, ColumnType type) {
}
