package org.geneformer4j.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;

/** Facts about the bundled dictionaries from reference/GENEFORMER.md §1.5 and §3. */
class GeneVocabularyTest {
    @Test
    void gc104mHasSpecialTokensAndSortedGenes() {
        GeneVocabulary v = GeneVocabulary.builtin("gc104M");
        assertEquals(20_275, v.size());
        assertEquals(0, v.pad());
        assertEquals(1, v.mask());
        assertEquals(2, v.cls());
        assertEquals(3, v.eos());
        assertTrue(v.hasSpecialTokens());
        assertEquals("ENSG00000000003", v.tokenName(4));
        assertSame(v, GeneVocabulary.builtin("gc95M"), "gc95M is the same files");
    }

    @Test
    void gc30mHasNoClsOrEos() {
        GeneVocabulary v = GeneVocabulary.builtin("gc30M");
        assertEquals(25_426, v.size());
        assertFalse(v.hasSpecialTokens());
        assertEquals(-1, v.cls());
        assertEquals(Double.NaN, v.median(0));
    }

    @Test
    void mappingSendsSymbolsAndRetiredIdsToVocabularyGenes() {
        GeneVocabulary v = GeneVocabulary.builtin("gc104M");
        assertEquals("ENSG00000094914", v.mapGeneId("ENSG00000291836"), "retired ID");
        assertEquals("ENSG00000188290", v.mapGeneId("HES4"));
        assertEquals("ENSG00000187634", v.mapGeneId("samd11"), "input IDs are upper-cased");
        assertNull(v.mapGeneId("NOT_A_GENE"));
        assertNull(GeneVocabulary.builtin("gc30M").mapGeneId("HES4"), "gc30M maps Ensembl IDs only");
        assertEquals("ENSG00000141510", v.idOfSymbol("TP53"), "gene_name_id_dict");
    }

    @Test
    void unknownBundledNameIsAUserError() {
        assertThrows(UserException.class, () -> GeneVocabulary.builtin("gc1M"));
    }
}
