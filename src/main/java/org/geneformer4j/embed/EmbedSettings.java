package org.geneformer4j.embed;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to extract, with upstream's names: {@code embLayer} -1 = second-to-last layer, 0 = last;
 * {@code maxNcells} &lt;= 0 keeps every cell; {@code filter} keeps rows whose column value is listed.
 * {@code packed}: batches of cells concatenated without padding ({@link org.geneformer4j.model.PackedLayout}),
 * {@code maxTokens} then counting real tokens.
 */
public record EmbedSettings(EmbMode mode, int embLayer, int maxNcells, long seed, Map<String, Set<String>> filter,
        List<String> labels, SummaryStat summaryStat, boolean sortByLength, int batchSize, long maxTokens,
        int attentionCells, boolean packed) {

    /** Upstream's {@code summary_stat}. Both flavours are computed exactly here (upstream's mean/median are t-digest approximations). */
    public enum SummaryStat { MEAN, MEDIAN, EXACT_MEAN, EXACT_MEDIAN;
        boolean median() {
            return this == MEDIAN || this == EXACT_MEDIAN;
        }
    }
}
