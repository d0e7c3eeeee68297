#!/usr/bin/env bash
# The --cell-range slices of an array job, to plan one or to check what each task did:
#   scripts/slurm/cell_ranges.sh CELLS TASKS [SHARD_CELLS]
# prints one line per array task, "INDEX START:END" ("INDEX -": nothing to do); 700 4 gives 0:200 200:400 400:600 600:
# CELLS is the number of cells perturb selects (rows after --filter, or --max-ncells if fewer). Slices are whole
# shards (perturb's --shard-cells, default 100) so that shard files are the same for any number of tasks: a rerun
# with another array size skips the finished shards instead of writing overlapping ones. The slice that reaches
# CELLS is open-ended (START:), so an undercount loses no cells; tasks past it get no slice.
# perturb_array.sbatch computes the same split inline (a batch script runs from a copy in Slurm's spool and cannot
# rely on finding this file); keep the two in step.
set -euo pipefail
[[ $# -ge 2 && "$1$2${3:-1}" =~ ^[0-9]+$ && $2 -gt 0 && ${3:-1} -gt 0 ]] || { echo "usage: $0 CELLS TASKS [SHARD_CELLS]" >&2; exit 2; }
cells=$1 tasks=$2 shard=${3:-100}
per=$(( ((cells + tasks - 1) / tasks + shard - 1) / shard * shard ))
for ((i = 0; i < tasks; i++)); do
  start=$((i * per))
  if ((start >= cells)); then echo "$i -"
  elif ((start + per >= cells)); then echo "$i $start:"
  else echo "$i $start:$((start + per))"; fi
done
