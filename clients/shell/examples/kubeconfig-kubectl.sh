#!/usr/bin/env bash
# Fetches a kubeconfig for a cluster into a private temporary file and reads it with kubectl:
# the current context, the API server and the contexts. It does not talk to the cluster: the
# local provider's API server is simulated (nothing listens there).
#
# The kubeconfig is written by the agent itself through getKubeconfig's `path` param (mode
# 0600, replaced atomically); `call getKubeconfig ... | jq -r .kubeconfig > FILE` under
# umask 077 does the same from the result on stdout. If the cluster does not exist, it is
# created first on the built-in `local` provider.
#
# Usage: kubeconfig-kubectl.sh [NAME]       (NAME defaults to demo)
# Needs: jq, kubectl. CLOUD_AGENT names the binary (default: cloud-agent on PATH).
set -euo pipefail

agent=${CLOUD_AGENT:-cloud-agent}
name=${1:-demo}

umask 077
dir=$(mktemp -d "${TMPDIR:-/tmp}/cloud-agent-kubeconfig.XXXXXX")
trap 'rm -rf "$dir"' EXIT
file=$dir/kubeconfig

if ! "$agent" call getCluster "$(jq -n --arg name "$name" '{name: $name}')" --quiet >/dev/null 2>&1; then
    echo "no cluster '$name' yet: creating it on the local provider" >&2
    "$agent" call createCluster "$(jq -n --arg name "$name" '{provider: "local", name: $name, wait: true}')" \
        --quiet >/dev/null
fi

written=$("$agent" call getKubeconfig "$(jq -n --arg name "$name" --arg path "$file" '{name: $name, path: $path}')" \
    --quiet | jq -r '.path')
echo "kubeconfig written to $written ($(stat -c %a "$file" 2>/dev/null || echo private))"

kubectl config view --kubeconfig "$file" \
    -o jsonpath='context: {.current-context}{"\n"}server:  {.clusters[0].cluster.server}{"\n"}user:    {.contexts[0].context.user}{"\n"}'
echo
kubectl config get-contexts --kubeconfig "$file"
