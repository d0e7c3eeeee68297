package org.geneformer4j.embed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.geneformer4j.util.UserException;

/** Upstream's cell_states_to_model from {@code state_key=COL,start_state=A,goal_state=B[,alt_states=C;D]}. */
public record CellStates(String stateKey, String startState, String goalState, List<String> altStates) {
    public static CellStates parse(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new UserException("--cell-states expects state_key=COL,start_state=A,goal_state=B[,alt_states=C;D], not '" + spec + "'");
            }
            m.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        for (String k : List.of("state_key", "start_state", "goal_state")) {
            if (!m.containsKey(k)) {
                throw new UserException("--cell-states lacks " + k);
            }
        }
        List<String> alts = m.containsKey("alt_states") ? List.of(m.get("alt_states").split(";")) : List.of();
        return new CellStates(m.get("state_key"), m.get("start_state"), m.get("goal_state"), alts);
    }

    /** Start, goal, then the alternatives. */
    public List<String> names() {
        List<String> out = new ArrayList<>(List.of(startState, goalState));
        out.addAll(altStates);
        return out;
    }
}
