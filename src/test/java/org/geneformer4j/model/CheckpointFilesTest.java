package org.geneformer4j.model;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.tensor.Tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pytorch_model.bin files written by torch.save (fixtures/model/tiny_*_bin), the heads, attention weights, saving,
 * and what happens with damaged or hostile files.
 */
class CheckpointFilesTest {
    @TempDir
    Path tmp;

    @Test
    void readsTransformers46StyleBinAndIgnoresTiedDecoderAndPositionIds() {
        Checkpoint ckpt = Checkpoint.load(TestData.resource("fixtures/model/tiny_mlm_bin"));
        assertTrue(ckpt.weightsFile().toString().endsWith("pytorch_model.bin"));
        assertTrue(ckpt.tensors().containsKey("bert.embeddings.position_ids"));
        assertTrue(ckpt.tensors().containsKey("cls.predictions.decoder.weight"));
        BertModel.Loaded loaded = BertModel.load(ckpt, Head.MLM, 0, ModelGoldenTest.CPU, ScalarType.Float, 0);
        assertEquals(List.of(), loaded.unexpected());
        assertEquals(List.of(), loaded.initialised());
        try (BertModel m = loaded.model()) {
            compare(m, "tiny_mlm_bin", 4);
        }
    }

    @Test
    void sequenceClassifierFromBinMatchesTransformersIncludingAttentions() {
        BertModel.Loaded loaded = BertModel.load(Checkpoint.load(TestData.resource("fixtures/model/tiny_cls_bin")),
                Head.SEQUENCE_CLASSIFICATION, 3, ModelGoldenTest.CPU, ScalarType.Float, 0);
        assertEquals(List.of(), loaded.initialised());
        try (BertModel m = loaded.model()) {
            compare(m, "tiny_cls_bin", -1);
        }
    }

    @Test
    void savedModelReloadsWithTheSameOutputsAndConfig() {
        Path out = tmp.resolve("saved");
        try (BertModel m = BertModel.load(Checkpoint.load(TestData.resource("fixtures/model/tiny_cls_bin")),
                Head.SEQUENCE_CLASSIFICATION, 3, ModelGoldenTest.CPU, ScalarType.Float, 0).model()) {
            m.save(out);
        }
        Checkpoint back = Checkpoint.load(out);
        assertTrue(back.weightsFile().toString().endsWith("model.safetensors"));
        assertEquals("BertForSequenceClassification", back.config().architecture());
        assertEquals(3, back.config().labels().size());
        try (BertModel m = BertModel.load(back, Head.SEQUENCE_CLASSIFICATION, 3, ModelGoldenTest.CPU, ScalarType.Float, 0).model()) {
            compare(m, "tiny_cls_bin", -1);
        }
    }

    @Test
    void classifierOnAnMlmCheckpointInitialisesTheNewHeadAndDropsTheOld() {
        BertModel.Loaded loaded = BertModel.load(Checkpoint.load(TestData.resource("fixtures/model/tiny_mlm_bin")),
                Head.SEQUENCE_CLASSIFICATION, 4, ModelGoldenTest.CPU, ScalarType.Float, 1);
        loaded.model().close();
        assertEquals(List.of("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"),
                loaded.initialised());
    }

    private static void compare(BertModel m, String name, int logitPositions) {
        Map<String, HostTensor> exp = SafeTensors.read(TestData.resource("fixtures/model/" + name + ".expected.safetensors"));
        try (PointerScope s = new PointerScope()) {
            Tensor ids = Tensors.toTorch(exp.get("input_ids"), ModelGoldenTest.CPU, ScalarType.Long);
            Tensor mask = Tensors.toTorch(exp.get("attention_mask"), ModelGoldenTest.CPU, ScalarType.Long);
            BertOutput out = m.forward(ids, mask, false, true);
            Tensor logits = logitPositions > 0 ? out.logits().narrow(1, 0, logitPositions) : out.logits();
            // logits: 1e-4 as for the upstream goldens (large-magnitude logits of a tiny random model)
            ModelGoldenTest.assertClose(exp.get("logits"), logits, null, 1e-4, name + " logits");
            ModelGoldenTest.assertClose(exp.get("last_hidden"), out.lastHiddenState(), null, 1e-5, name + " hidden");
            assertEquals(2, out.attentions().size());
            for (int i = 0; i < 2; i++) {
                ModelGoldenTest.assertClose(exp.get("attentions." + i), out.attentions().get(i), null, 1e-6,
                        name + " attentions " + i);
            }
        }
    }

    @Test
    void refusesPicklesThatCallAnythingButTensorRebuilders() throws IOException {
        // protocol 2: GLOBAL 'os system', then ('echo hi',) REDUCE: what a hostile checkpoint does
        byte[] pkl = ("\u0080\u0002cos\nsystem\nX\u0007\u0000\u0000\u0000echo hi\u0085R.").getBytes(StandardCharsets.ISO_8859_1);
        Path dir = binDir("evil", Map.of("archive/data.pkl", pkl));
        UserException e = assertThrows(UserException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("os.system") && e.getMessage().contains("not loaded"), e.getMessage());
    }

    @Test
    void truncatedFilesGiveOneClearError() throws IOException {
        Path src = TestData.resource("fixtures/model/tiny_mlm_bin");
        byte[] bin = Files.readAllBytes(src.resolve("pytorch_model.bin"));
        Path dir = Files.createDirectories(tmp.resolve("cut_bin"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("pytorch_model.bin"), java.util.Arrays.copyOf(bin, bin.length / 2));
        UserException e = assertThrows(UserException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("pytorch_model.bin"), e.getMessage());

        Path st = Files.createDirectories(tmp.resolve("cut_st"));
        Files.copy(src.resolve("config.json"), st.resolve("config.json"));
        try (BertModel m = BertModel.load(Checkpoint.load(src), Head.MLM, 0, ModelGoldenTest.CPU, ScalarType.Float, 0).model()) {
            m.save(tmp.resolve("full"));
        }
        byte[] full = Files.readAllBytes(tmp.resolve("full/model.safetensors"));
        Files.write(st.resolve("model.safetensors"), java.util.Arrays.copyOf(full, full.length - 1000));
        e = assertThrows(UserException.class, () -> Checkpoint.load(st));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void missingTensorsAreNamed() {
        Checkpoint full = Checkpoint.load(TestData.resource("fixtures/model/tiny_mlm_bin"));
        Map<String, HostTensor> some = new LinkedHashMap<>(full.tensors());
        some.remove("bert.encoder.layer.1.output.dense.weight");
        Checkpoint partial = new Checkpoint(full.directory(), full.config(), some, full.weightsFile());
        UserException e = assertThrows(UserException.class,
                () -> BertModel.load(partial, Head.MLM, 0, ModelGoldenTest.CPU, ScalarType.Float, 0));
        assertTrue(e.getMessage().contains("bert.encoder.layer.1.output.dense.weight"), e.getMessage());
    }

    private Path binDir(String name, Map<String, byte[]> entries) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(TestData.resource("fixtures/model/tiny_mlm_bin/config.json"), dir.resolve("config.json"));
        try (OutputStream os = Files.newOutputStream(dir.resolve("pytorch_model.bin"));
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return dir;
    }
}
