package org.geneformer4j.model;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.tensor.Tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.engine.Pooling;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models of the real sizes (gf-6L-30M-i2048, gf-12L-95M-i4096) on real cells, against transformers
 * (fixtures/model/real_*, from scripts/fixtures/make_model_fixtures.py). The weights are regenerated here, saved
 * with our safetensors writer, and must equal, byte for byte, the file Python's safetensors wrote.
 */
class RealShapeParityTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"gf-6L-30M-i2048", "gf-12L-95M-i4096"})
    void matchesTransformers(String shape) throws Exception {
        JsonNode meta = new ObjectMapper().readTree(TestData.resource("fixtures/model/real_" + shape + ".json").toFile());
        ObjectNode cfgJson = (ObjectNode) meta.get("config");
        BertConfig config = BertConfig.of(cfgJson, shape);
        Path dir = Files.createDirectories(tmp.resolve(shape));
        SafeTensors.write(dir.resolve(Checkpoint.SAFETENSORS), FixtureWeights.bertForMaskedLm(config), Map.of("format", "pt"));
        config.write(dir.resolve("config.json"));
        assertEquals(meta.path("python_file_sha256").path("model.safetensors").asText(), sha256(dir.resolve(Checkpoint.SAFETENSORS)),
                "our safetensors file differs from the one Python wrote for the same tensors");

        Map<String, HostTensor> exp = SafeTensors.read(
                TestData.resource("fixtures/model/real_" + shape + ".expected.safetensors"));
        boolean v2 = meta.get("version").asText().equals("V2");
        int layers = config.numLayers();
        // One full-length (truncated) cell and the three short ones; the other full-length rows add only time, and
        // on the 12-layer shape a 4,096-token cell alone costs half a minute on two cores (v2_tiny covers 4,096).
        long[] rows = v2 ? new long[] {3, 4, 5} : new long[] {0, 3, 4, 5};
        try (BertModel model = BertModel.load(Checkpoint.load(dir), Head.MLM, 0, ModelGoldenTest.CPU, ScalarType.Float, 0).model();
                PointerScope scope = new PointerScope()) {
            Tensor index = Tensors.longs(rows, rows.length);
            Tensor ids = Tensors.toTorch(exp.get("input_ids"), ModelGoldenTest.CPU, ScalarType.Long).index_select(0, index);
            Tensor mask = Tensors.toTorch(exp.get("attention_mask"), ModelGoldenTest.CPU, ScalarType.Long).index_select(0, index);
            Tensor lengths = Tensors.toTorch(exp.get("lengths"), ModelGoldenTest.CPU, ScalarType.Long).index_select(0, index);
            long maxLen = Tensors.longArray(lengths.max())[0];
            ids = ids.narrow(1, 0, maxLen);
            mask = mask.narrow(1, 0, maxLen);
            BertOutput out = model.forward(ids, mask, true, false);
            for (int layer : new int[] {-1, 0}) {
                Tensor h = out.hiddenStates().get(layers + layer);
                ModelGoldenTest.assertClose(rowsOf(exp.get("cell_emb.layer" + layer), rows),
                        Pooling.mean(h, lengths, v2, v2), null, 1e-5, shape + " cell_emb " + layer);
                if (v2) {
                    ModelGoldenTest.assertClose(rowsOf(exp.get("cls_emb.layer" + layer), rows), Pooling.cls(h), null, 1e-5,
                            shape + " cls_emb " + layer);
                }
            }
            ModelGoldenTest.assertClose(rowsOf(exp.get("last_hidden_first16"), rows),
                    out.lastHiddenState().narrow(1, 0, 16), null, 1e-5, shape + " hidden");
            ModelGoldenTest.assertClose(rowsOf(exp.get("mlm_logits_first2"), rows), out.logits().narrow(1, 0, 2), null, 1e-4,
                    shape + " logits");
        }
    }

    static HostTensor rowsOf(HostTensor t, long[] rows) {
        try (PointerScope s = new PointerScope()) {
            Tensor all = Tensors.toTorch(t, ModelGoldenTest.CPU, ScalarType.Float);
            return Tensors.toHost(all.index_select(0, Tensors.longs(rows, rows.length)));
        }
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(p));
        return HexFormat.of().formatHex(md.digest());
    }
}
