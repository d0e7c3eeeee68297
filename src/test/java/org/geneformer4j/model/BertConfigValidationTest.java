package org.geneformer4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.geneformer4j.TestData;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A damaged config.json is one line naming the key and what it holds, whichever key and whatever it holds. */
class BertConfigValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "num_attention_heads | 0 | 'num_attention_heads' is 0; it must be at least 1",
            "num_attention_heads | -4 | 'num_attention_heads' is -4",
            "hidden_size | \"banana\" | 'hidden_size' must be a whole number, not \"banana\"",
            "hidden_size | 16.5 | 'hidden_size' must be a whole number, not 16.5",
            "hidden_size | 18 | hidden_size 18 is not a multiple of num_attention_heads 4",
            "num_hidden_layers | 0 | 'num_hidden_layers' is 0",
            "vocab_size | null | lacks 'vocab_size'",
            "max_position_embeddings | 1e12 | 'max_position_embeddings' must be a whole number",
            "intermediate_size | [32] | 'intermediate_size' must be a whole number, not [32]",
            "layer_norm_eps | \"tiny\" | 'layer_norm_eps' must be a number above 0",
            "layer_norm_eps | 0 | 'layer_norm_eps' must be a number above 0",
            "hidden_dropout_prob | 1.5 | 'hidden_dropout_prob' must be a number from 0.0 to 1.0, not 1.5",
            "pad_token_id | 20275 | 'pad_token_id' is 20275; it must be from 0 to 20274",
            "type_vocab_size | \"2\" | 'type_vocab_size' must be a whole number, not \"2\"",
    })
    void eachBadFieldIsNamed(String key, String value, String expected) throws Exception {
        ObjectNode o = (ObjectNode) JSON.readTree(Files.readString(TestData.resource("fixtures/model/tiny_v2/config.json")));
        o.set(key, JSON.readTree(value));
        UserException e = assertThrows(UserException.class, () -> BertConfig.of(o, "config.json"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @ParameterizedTest
    @CsvSource({"tiny_v1", "tiny_v2", "tiny_cls_bin", "tiny_mlm_bin"})
    void theFixturesAreValid(String name) {
        Path dir = TestData.resource("fixtures/model/" + name);
        BertConfig c = BertConfig.read(dir.resolve("config.json"));
        assertEquals(0, c.hiddenSize() % c.numHeads());
    }
}
