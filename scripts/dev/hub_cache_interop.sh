#!/usr/bin/env bash
# Checks that Python's huggingface_hub and this program share one Hugging Face cache, both ways, through a fake
# Hub on loopback (scripts/dev/fake_hub.py) serving a tiny model as "ctheodoris/Geneformer", subfolder tiny-model.
#   1. Java downloads (geneformer models download, registry entry from GENEFORMER_MODELS) into cache A;
#      Python hf_hub_download with HF_HUB_OFFLINE=1 finds both files in cache A.
#   2. Python downloads into cache B; geneformer models path / verify with HF_HUB_OFFLINE=1 use cache B.
# Needs a Python with huggingface_hub (PYTHON=/work/venv/bin/python). Dev only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/repo/tiny-model"
cp "$root/src/test/resources/fixtures/model/tiny_v1/config.json" "$root/src/test/resources/fixtures/model/tiny_v1/model.safetensors" "$work/repo/tiny-model/"
"$py" "$here/fake_hub.py" "$port" "$work/repo" ctheodoris/Geneformer & server=$!
sha=$(sha256sum "$work/repo/tiny-model/model.safetensors" | cut -d' ' -f1)
size=$(stat -c %s "$work/repo/tiny-model/model.safetensors")
mkdir -p "$work/models"
cat > "$work/models/tiny.json" <<JSON
{"name": "tiny-interop", "aliases": [], "repo": "ctheodoris/Geneformer", "subfolder": "tiny-model", "revision": "main",
 "vocabulary": "gc30M", "input_size": 2048, "special_tokens": [], "architecture": {"layers": 2, "max_positions": 2048},
 "files": [{"path": "config.json"}, {"path": "model.safetensors", "size": $size, "sha256": "$sha"}], "note": "interop check"}
JSON
sleep 1
export GENEFORMER_MODELS="$work/models" HF_ENDPOINT="http://127.0.0.1:$port"
echo "1. Java downloads into cache A, Python reads it offline"
HF_HOME="$work/A" "$root/scripts/geneformer" models download tiny-interop
HF_HOME="$work/A" HF_HUB_OFFLINE=1 "$py" - <<'PY'
from huggingface_hub import hf_hub_download
for f in ("config.json", "model.safetensors"):
    print("   python found", hf_hub_download("ctheodoris/Geneformer", f, subfolder="tiny-model"))
PY
echo "2. Python downloads into cache B, Java reads it offline"
HF_HOME="$work/B" "$py" - <<'PY'
from huggingface_hub import hf_hub_download
for f in ("config.json", "model.safetensors"):
    hf_hub_download("ctheodoris/Geneformer", f, subfolder="tiny-model")
PY
HF_HOME="$work/B" HF_HUB_OFFLINE=1 "$root/scripts/geneformer" models path tiny-interop
HF_HOME="$work/B" HF_HUB_OFFLINE=1 "$root/scripts/geneformer" models verify tiny-interop
echo "cache layouts (A = Java, B = Python):"
(cd "$work/A/hub" && find . | sort) > "$work/a.txt"; (cd "$work/B/hub" && find . | grep -v '/\.no_exist' | sort) > "$work/b.txt"
diff "$work/a.txt" "$work/b.txt" && echo "   identical file trees"
