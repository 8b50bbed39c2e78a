#!/usr/bin/env bash
# Lists the clusters and the instances of a provider as aligned tables, following
# nextPageToken through every page, with jq's @tsv and `column -t` (or printf where column is
# missing).
#
# Usage: list-table.sh [PROVIDER]           (default: the agent's default provider, which is
#                                            `local` when no config file names another)
# Needs: jq. CLOUD_AGENT names the binary (default: cloud-agent on PATH).
set -euo pipefail
shopt -s inherit_errexit # a failed call inside $(...) stops the script too

agent=${CLOUD_AGENT:-cloud-agent}
provider=${1:-}

# Prints every item of METHOD's list FIELD, one compact JSON object a line, page after page.
list_all() {
    local method=$1 field=$2 token='' page
    while :; do
        page=$("$agent" call "$method" --quiet --compact "$(jq -nc --arg provider "$provider" --arg token "$token" \
            '{limit: 100} + (if $provider != "" then {provider: $provider} else {} end)
                          + (if $token != "" then {pageToken: $token} else {} end)')") || return
        jq -c --arg field "$field" '.[$field][]' <<<"$page"
        token=$(jq -r '.nextPageToken // empty' <<<"$page")
        [[ -n $token ]] || break
    done
}

# Aligns tab-separated lines into columns.
table() {
    if command -v column >/dev/null 2>&1; then
        column -t -s $'\t'
    else
        awk -F '\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > width[i]) width[i] = length($i) }
                       if (NF > columns) columns = NF }
                     END { for (r = 1; r <= NR; r++) { for (i = 1; i <= columns; i++)
                               printf (i < columns ? "%-" width[i] "s  " : "%s\n"), cell[r, i] } }'
    fi
}

# Prints TITLE, then the HEADER line and the rows on stdin as a table, or "(none)".
section() {
    local title=$1 header=$2 rows
    rows=$(cat)
    echo "$title"
    if [[ -z $rows ]]; then
        echo "(none)"
    else
        printf '%s\n%s\n' "$header" "$rows" | table
    fi
}

# Fetch both lists before printing anything, so that a failed call prints no half table.
clusters=$(list_all listClusters clusters)
instances=$(list_all listInstances instances)

# Each row: the fields as a JSON array, "-" for a missing or empty one, then @tsv (which
# escapes tabs and newlines inside fields, so a row is always one line).
jq -r '[.name, .provider, .region, .version, .status,
        (.nodePools // [] | length), ([.nodePools[]? | .nodeCount] | add // 0), .endpoint]
        | map(if . == null or . == "" then "-" else . end) | @tsv' <<<"$clusters" |
    section CLUSTERS $'NAME\tPROVIDER\tREGION\tVERSION\tSTATUS\tPOOLS\tNODES\tENDPOINT'
echo
jq -r '[.name, .id, .provider, .zone, .instanceType, .state, .privateIP, .publicIP]
        | map(if . == null or . == "" then "-" else . end) | @tsv' <<<"$instances" |
    section INSTANCES $'NAME\tID\tPROVIDER\tZONE\tTYPE\tSTATE\tPRIVATE_IP\tPUBLIC_IP'
