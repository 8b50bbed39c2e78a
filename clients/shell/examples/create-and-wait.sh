#!/usr/bin/env bash
# Creates a Kubernetes cluster on the built-in `local` provider (no cloud account, nothing to
# configure), waits for it with `wait: true` (progress goes to stderr unless --quiet), and
# prints its status and API endpoint with jq. If the cluster already exists (a conflict,
# -32003), it waits for that one instead.
#
# Usage: create-and-wait.sh [NAME]          (NAME defaults to demo)
# Needs: jq. CLOUD_AGENT names the binary (default: cloud-agent on PATH).
set -euo pipefail

agent=${CLOUD_AGENT:-cloud-agent}
name=${1:-demo}

# Build PARAMS_JSON with jq so that any NAME is quoted correctly.
params=$(jq -n --arg name "$name" '{provider: "local", name: $name, wait: true}')

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
if ! cluster=$("$agent" call createCluster "$params" --quiet 2>"$errors"); then
    # On failure the error object is on stderr: {"error": {"code", "message", "data"}}.
    if jq -e '.error.data.type == "conflict"' "$errors" >/dev/null 2>&1; then
        echo "cluster '$name' already exists; waiting for it to be active" >&2
        cluster=$("$agent" call waitClusterReady "$(jq -n --arg name "$name" '{provider: "local", name: $name}')" --quiet)
    else
        cat "$errors" >&2
        exit 1
    fi
fi

jq -r '"cluster:  \(.name) (\(.provider), \(.region), Kubernetes \(.version))",
       "status:   \(.status)",
       "endpoint: \(.endpoint // "-")",
       "nodes:    \([.nodePools[]? | .nodeCount] | add // 0) in \(.nodePools | length) node pool(s)"' <<<"$cluster"
