package org.geneformer4j.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where a run stands, saved with each checkpoint: optimizer steps done, the next batch (epoch and index within the
 * epoch's order), and the best evaluation so far. Dropout seeds are a function of the step, so this is all the
 * randomness a resume needs, with {@code memoryPieces}: how many pieces each batch went through in after the device
 * ran out of memory (0 or 1: whole), so that a resumed run cuts its batches, and draws their dropout, as the run did.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainerState(long globalStep, int epoch, int batchInEpoch, Double bestMetric, long bestStep,
        String settings, int memoryPieces) {}
