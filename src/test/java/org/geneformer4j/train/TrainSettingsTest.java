package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;

class TrainSettingsTest {
    static TrainSettings every(double eval, double save, double log) {
        TrainSettings d = TrainSettings.defaults();
        return new TrainSettings(d.learningRate(), d.weightDecay(), d.schedule(), d.warmupSteps(), d.warmupRatio(), d.epochs(),
                d.batchSize(), d.gradientAccumulation(), d.maxGradNorm(), d.seed(), d.groupByLength(), eval, save, log,
                d.bestMetric(), d.loadBestAtEnd(), d.beta1(), d.beta2(), d.epsilon(), d.saveTotalLimit());
    }

    /** transformers: a value below 1 is a share of all steps, ceil(share x total); whole numbers are steps. */
    @Test
    void aShareBelowOneIsThatPartOfAllSteps() {
        TrainSettings s = every(0.1, 1.0 / 24, 0.001);
        assertEquals(100, s.evalEvery(1000));
        assertEquals(42, s.saveEvery(1000)); // ceil(41.67): upstream's example, 8 checkpoints an epoch over 3 epochs
        assertEquals(1, s.logEvery(1000));
        assertEquals(1, s.logEvery(10), "never 0 steps, which would mean 'each epoch'");
        TrainSettings whole = every(500, 2, 0);
        assertEquals(500, whole.evalEvery(1000));
        assertEquals(2, whole.saveEvery(1000));
        assertEquals(0, whole.logEvery(1000));
    }

    @Test
    void fractionsAboveOneAndNegativeValuesAreRefused() {
        UserException e = assertThrows(UserException.class, () -> every(2.5, 0, 0));
        assertTrue(e.getMessage().startsWith("--eval-steps must be a whole number of steps"), e.getMessage());
        assertThrows(UserException.class, () -> every(0, -1, 0));
        assertThrows(UserException.class, () -> every(0, 0, Double.NaN));
    }

    /** Checkpoints of runs made when the intervals were integers resume: the key spells whole steps as before. */
    @Test
    void theResumeKeySpellsWholeStepsAsIntegers() {
        String key = every(0, 2, 10).resumeKey();
        assertTrue(key.contains("evalSteps=0, saveSteps=2, logSteps=10,"), key);
        assertTrue(every(0.5, 0, 0).resumeKey().contains("evalSteps=0.5,"));
        assertTrue(every(0, 20_000_000, 0).resumeKey().contains("saveSteps=20000000,"), "not 2.0E7");
    }
}
