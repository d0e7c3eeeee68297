package org.geneformer4j.hub;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.hub.HubClient;
import org.geneformer4j.hub.HubSettings;
import org.geneformer4j.hub.ModelCard;
import org.geneformer4j.hub.ModelRegistry;
import org.geneformer4j.hub.ModelResolver;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads through a fake Hub on loopback into an HF cache, then loads the model from it. */
class HubDownloadTest {
    static final String REPO = "ctheodoris/Geneformer";

    @TempDir
    Path tmp;
    FakeHub hub;
    byte[] weights;
    ModelRegistry registry;

    @BeforeEach
    void start() throws Exception {
        Path src = TestData.resource("fixtures/model/tiny_mlm_bin");
        weights = Files.readAllBytes(src.resolve("pytorch_model.bin"));
        hub = new FakeHub(REPO);
        hub.put("tiny/config.json", Files.readAllBytes(src.resolve("config.json")), false);
        hub.put("tiny/pytorch_model.bin", weights, true);
        String card = "{\"name\":\"tiny-test\",\"aliases\":[\"gf-tiny\"],\"repo\":\"" + REPO + "\",\"subfolder\":\"tiny\","
                + "\"revision\":\"main\",\"vocabulary\":\"gc30M\",\"input_size\":2048,\"special_tokens\":[],"
                + "\"files\":[{\"path\":\"config.json\"},{\"path\":\"pytorch_model.bin\",\"size\":" + weights.length
                + ",\"sha256\":\"" + FakeHub.sha256(weights) + "\"}]}";
        registry = new ModelRegistry(List.of(ModelCard.of(new ObjectMapper().readTree(card))));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    ModelResolver resolver(boolean offline, String token) {
        return new ModelResolver(registry, new HubSettings(hub.endpoint(), token, offline, tmp.resolve("hub")));
    }

    @Test
    void downloadsIntoTheHfCacheLayoutResumingAfterABrokenConnection() throws Exception {
        hub.breakFirstGets.put(FakeHub.sha256(weights), 1);
        Path dir = resolver(false, "secret").resolve("gf-tiny", Progress.silent());

        Path repoDir = tmp.resolve("hub/models--ctheodoris--Geneformer");
        assertEquals(repoDir.resolve("snapshots/" + FakeHub.COMMIT + "/tiny"), dir);
        assertEquals(FakeHub.COMMIT, Files.readString(repoDir.resolve("refs/main")));
        Path bin = dir.resolve("pytorch_model.bin");
        assertTrue(Files.isSymbolicLink(bin), "snapshot files link to blobs, as huggingface_hub does");
        assertEquals(repoDir.resolve("blobs/" + FakeHub.sha256(weights)), bin.toRealPath());
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertFalse(blobs.anyMatch(p -> p.toString().endsWith(".incomplete")), "no partial file left");
        }
        // cut mid-file once, then resumed with a Range request from where it stopped
        List<String> cdn = hub.log.stream().filter(l -> l.startsWith("CDN GET")).toList();
        assertEquals(2, cdn.size(), hub.log.toString());
        assertTrue(cdn.get(0).contains("range=null"), cdn.toString());
        // resumed from what arrived: at most the half the server sent before it dropped the connection
        long resumedAt = Long.parseLong(cdn.get(1).replaceAll(".*range=bytes=(\\d+)-.*", "$1"));
        assertTrue(resumedAt > 0 && resumedAt <= weights.length / 2, cdn.toString());
        // the token goes to the Hub, never to the storage host the Hub redirects to
        assertTrue(hub.log.stream().filter(l -> l.startsWith("HEAD")).allMatch(l -> l.endsWith("auth=Bearer secret")));
        assertTrue(cdn.stream().allMatch(l -> l.endsWith("auth=null")));

        try (BertModel m = BertModel.load(Checkpoint.load(dir), Head.MLM, 0, new org.bytedeco.pytorch.Device("cpu"), ScalarType.Float, 0).model()) {
            assertEquals(2, m.config().numLayers());
        }
    }

    @Test
    void aCachedModelIsUsedOfflineWithoutTouchingTheNetwork() {
        resolver(false, null).resolve("tiny-test", Progress.silent());
        hub.log.clear();
        Path again = resolver(true, null).resolve("TINY-TEST", Progress.silent());
        assertTrue(Files.isRegularFile(again.resolve("config.json")));
        assertEquals(List.of(), hub.log);
        assertEquals(List.of(), resolver(true, null).verify(registry.get("tiny-test")));
    }

    @Test
    void anInterruptedRunResumesFromItsIncompleteFile() throws Exception {
        Path blobs = Files.createDirectories(tmp.resolve("hub/models--ctheodoris--Geneformer/blobs"));
        String sha = FakeHub.sha256(weights);
        Files.write(blobs.resolve(sha + ".incomplete"), java.util.Arrays.copyOf(weights, 1000));
        resolver(false, null).resolve("tiny-test", Progress.silent());
        assertTrue(hub.log.stream().anyMatch(l -> l.startsWith("CDN GET") && l.contains("range=bytes=1000-")), hub.log.toString());
        assertEquals(sha, HubClient.sha256(blobs.resolve(sha)));
    }

    @Test
    void aCorruptDownloadIsRejectedAndDeleted() throws Exception {
        hub.corrupt = true;
        UserException e = assertThrows(UserException.class, () -> resolver(false, null).resolve("tiny-test", Progress.silent()));
        assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
        try (Stream<Path> blobs = Files.list(tmp.resolve("hub/models--ctheodoris--Geneformer/blobs"))) {
            assertEquals(List.of(), blobs.filter(p -> p.getFileName().toString().length() > 60).toList());
        }
        assertTrue(resolver(true, null).cachedDir(registry.get("tiny-test")).isEmpty());
    }

    @Test
    void offlineWithoutCacheAndRefusedTokensSayWhatToDo() {
        UserException off = assertThrows(UserException.class, () -> resolver(true, null).resolve("tiny-test", Progress.silent()));
        assertTrue(off.getMessage().contains("HF_HUB_OFFLINE"), off.getMessage());
        hub.requiredToken = "right";
        UserException denied = assertThrows(UserException.class, () -> resolver(false, "wrong").resolve("tiny-test", Progress.silent()));
        assertTrue(denied.getMessage().contains("HF_TOKEN"), denied.getMessage());
    }

    @Test
    void unknownNamesSuggestTheNearestAndTheBuiltinRegistryIsComplete() {
        UserException e = assertThrows(UserException.class, () -> ModelRegistry.builtin().get("gf-12L-95M-i496"));
        assertTrue(e.getMessage().contains("did you mean 'gf-12L-95M-i4096'"), e.getMessage());
        ModelRegistry r = ModelRegistry.builtin();
        for (String name : List.of("gf-6L-30M-i2048", "gf-12L-30M-i2048", "gf-12L-95M-i4096", "gf-20L-95M-i4096",
                "gf-12L-95M-i4096-CLcancer", "Geneformer-V1-10M", "Geneformer-V2-104M", "Geneformer-V2-104M_CLcancer",
                "Geneformer-V2-316M", "gf-18L-316M-i4096")) {
            ModelCard c = r.get(name);
            assertEquals(c.architecture().path("max_positions").asInt(), c.inputSize(), name);
            assertTrue(c.neededFiles().size() == 2 && c.neededFiles().get(1).verifiable(), name);
        }
    }

    @Test
    void userRegistryEntriesComeFirst() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Files.writeString(dir.resolve("mine.json"), "{\"name\":\"Geneformer-V2-104M\",\"repo\":\"me/mirror\",\"files\":[]}");
        List<ModelCard> cards = new java.util.ArrayList<>(ModelRegistry.fromDirectory(dir));
        cards.addAll(ModelRegistry.builtin().all());
        ModelRegistry r = new ModelRegistry(cards);
        assertEquals("me/mirror", r.get("geneformer-v2-104m").repo());
        assertEquals(ModelRegistry.builtin().all().size(), r.all().size());
    }

    @Test
    void settingsFollowHuggingfaceHubEnvironmentVariables() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("hfhome"));
        Files.writeString(home.resolve("token"), "hf_from_file\n");
        HubSettings s = HubSettings.from(Map.of("HF_HOME", home.toString(), "HF_HUB_OFFLINE", "1",
                "HF_ENDPOINT", "http://mirror.example/"));
        assertEquals(home.resolve("hub"), s.cacheDir());
        assertEquals("hf_from_file", s.token());
        assertTrue(s.offline());
        assertEquals("http://mirror.example", s.endpoint());
        assertEquals("tok", HubSettings.from(Map.of("HF_HOME", home.toString(), "HF_TOKEN", "tok")).token());
    }
}
