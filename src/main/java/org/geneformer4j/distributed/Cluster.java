package org.geneformer4j.distributed;

import java.util.Map;
import org.geneformer4j.util.UserException;

/**
 * Where this process stands in a data-parallel job, from the environment the launchers set: torchrun's (and this
 * program's {@code --nproc-per-node}) {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code MASTER_ADDR},
 * {@code MASTER_PORT}, or Slurm's {@code SLURM_PROCID}, {@code SLURM_NTASKS}, {@code SLURM_LOCALID} and the first
 * host of {@code SLURM_NODELIST}. Without either, a job of one process.
 */
public record Cluster(int rank, int worldSize, int localRank, String masterAddr, int masterPort) {
    /** torchrun's default port, used under Slurm when MASTER_PORT is not set. */
    public static final int DEFAULT_PORT = 29500;

    public static Cluster single() {
        return new Cluster(0, 1, 0, "127.0.0.1", DEFAULT_PORT);
    }

    public static Cluster fromEnvironment() {
        return of(System.getenv());
    }

    public static Cluster of(Map<String, String> env) {
        if (env.containsKey("WORLD_SIZE")) {
            int world = number(env, "WORLD_SIZE");
            return checked(new Cluster(number(env, "RANK"), world, env.containsKey("LOCAL_RANK") ? number(env, "LOCAL_RANK") : 0,
                    env.getOrDefault("MASTER_ADDR", "127.0.0.1"), env.containsKey("MASTER_PORT") ? number(env, "MASTER_PORT") : DEFAULT_PORT));
        }
        if (env.containsKey("SLURM_NTASKS") && env.containsKey("SLURM_PROCID")) {
            String master = env.get("MASTER_ADDR");
            if (master == null) {
                master = firstHost(env.getOrDefault("SLURM_NODELIST", env.getOrDefault("SLURM_JOB_NODELIST", "127.0.0.1")));
            }
            return checked(new Cluster(number(env, "SLURM_PROCID"), number(env, "SLURM_NTASKS"),
                    env.containsKey("SLURM_LOCALID") ? number(env, "SLURM_LOCALID") : 0, master,
                    env.containsKey("MASTER_PORT") ? number(env, "MASTER_PORT") : DEFAULT_PORT));
        }
        return single();
    }

    public boolean distributed() {
        return worldSize > 1;
    }

    public boolean isMain() {
        return rank == 0;
    }

    /**
     * The first host of a Slurm node list: {@code node[07-09,12],gpu3} gives {@code node07}. Slurm's compressed
     * ranges keep their zero padding.
     */
    static String firstHost(String nodeList) {
        String first = nodeList.trim();
        int depth = 0;
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (c == ',' && depth == 0) {
                first = first.substring(0, i);
                break;
            }
        }
        int open = first.indexOf('[');
        if (open < 0) {
            return first;
        }
        String range = first.substring(open + 1, first.indexOf(']', open)).split(",")[0].split("-")[0];
        return first.substring(0, open) + range + first.substring(first.indexOf(']', open) + 1);
    }

    private static int number(Map<String, String> env, String key) {
        String v = env.get(key);
        try {
            return Integer.parseInt(v.trim());
        } catch (RuntimeException e) {
            throw new UserException("environment variable " + key + " is '" + v + "', not a number");
        }
    }

    private static Cluster checked(Cluster c) {
        if (c.worldSize < 1 || c.rank < 0 || c.rank >= c.worldSize) {
            throw new UserException("rank " + c.rank + " of a job of " + c.worldSize + " processes: check RANK/WORLD_SIZE (or SLURM_PROCID/SLURM_NTASKS)");
        }
        return c;
    }
}
