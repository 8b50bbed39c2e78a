#!/usr/bin/env zsh -f
# Drives _cloud-agent as a person would: an interactive zsh (in a pseudo-terminal, zsh/zpty)
# with compinit and the directory DIR first in $fpath types a command line with a TAB in it and
# presses Enter; `cloud-agent` there is a function printing its arguments, so what the
# completion inserted is what it prints. Also reads a completion listing (ambiguous prefix).
#
# Usage: zsh -f clients/shell/test-zsh-completion.zsh DIR
#   DIR   where _cloud-agent is (clients/shell); a DIR without it makes every check fail.
# Prints "ok    CHECK" or "FAIL  CHECK" lines; exits 1 if any check failed. Each answer is
# awaited for at most 10 s.
emulate -L zsh
zmodload zsh/zpty || { print -u2 "zsh/zpty is needed"; exit 1 }
zmodload zsh/datetime
dir=${1:?usage: test-zsh-completion.zsh DIR}
scratch=$(mktemp -d) || exit 1
typeset -i failed=0

zpty shell zsh -f -i
# No rc files (-f); a plain prompt; compinit with our directory first; a stand-in cloud-agent.
# read_until PATTERN: reads the terminal into $out until it matches PATTERN; 1 after 10 s.
read_until() {
    local chunk deadline=$(( EPOCHREALTIME + 10 ))
    out=
    while [[ $out != $~1 ]]; do
        if zpty -rt shell chunk; then
            out+=$chunk
        elif (( EPOCHREALTIME > deadline )); then
            return 1
        else
            sleep 0.02
        fi
    done
}

zpty -w shell "PS1='%% '; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -d ${(q)scratch}/zcompdump; cloud-agent() { print -r -- \"ARGS[\$*]\" }; print -r -- READY"
read_until '*READY*' || { print -r -- "FAIL  zsh: the interactive zsh did not start"; exit 1 }

# expect_line CHECK KEYS WANT: types KEYS then Enter; the stand-in must print WANT.
expect_line() {
    local check=$1 keys=$2 want=$3 got
    zpty -w -n shell "$keys"$'\n'
    if read_until '*ARGS\[*\]*'; then
        got=${${out##*ARGS\[}%%\]*}
    else
        got="(nothing within 10 s)"
    fi
    if [[ $got == "$want" ]]; then
        print -r -- "ok    zsh: $check"
    else
        print -r -- "FAIL  zsh: $check"$'\n'"      typed: ${(q)keys}"$'\n'"      want: cloud-agent $want"$'\n'"      got:  cloud-agent $got"
        failed+=1
    fi
}

expect_line "call getC<TAB> completes the method" $'cloud-agent call getC\t' 'call getCluster'
expect_line "call waitI<TAB> completes the method" $'cloud-agent call waitI\t' 'call waitInstanceReady'
expect_line "call --comp<TAB> completes the option" $'cloud-agent call --comp\t ping' 'call --compact ping'
expect_line "call getCluster '{\"na<TAB> completes the param key" \
    $'cloud-agent call getCluster \'{"na\t"demo"}\'' 'call getCluster {"name":"demo"}'
expect_line "call upgradeCluster '{\"nodeP<TAB> completes the param key" \
    $'cloud-agent call upgradeCluster \'{"nodeP\tfalse}\'' 'call upgradeCluster {"nodePools":false}'
expect_line "serve --log-level=war<TAB> completes the level" $'cloud-agent serve --log-level=war\t' 'serve --log-level=warning'
expect_line "ser<TAB> completes the command" $'cloud-agent ser\t' 'serve'
expect_line "token az<TAB> completes the cloud" $'cloud-agent token az\t' 'token azure'
expect_line "token eks --role<TAB> completes the option" $'cloud-agent token eks --role\tX' 'token eks --role-arn=X'
expect_line "call nosuchmeth<TAB> inserts nothing" $'cloud-agent call nosuchmeth\t' 'call nosuchmeth'

# An ambiguous prefix lists the candidates with their summaries; then the line is dropped (^U).
zpty -w -n shell $'cloud-agent call list\t'
missing=()
read_until '*listProviders*' || missing+='(no listing within 10 s)'
zpty -w shell $'\C-u'

for m in listClusters listInstances listNodePools listProviders; do
    [[ $out == *$m* ]] || missing+=$m
done
[[ $out == *"One cluster as the cloud reports it now"* || $out == *"sorted by name"* ]] || missing+='a summary'
if (( ${#missing} == 0 )); then
    print -r -- "ok    zsh: call list<TAB> lists the four list methods with summaries"
else
    print -r -- "FAIL  zsh: call list<TAB> lists the four list methods with summaries"$'\n'"      missing: ${missing[*]}"
    failed+=1
fi

zpty -d shell
rm -rf -- $scratch
(( failed == 0 ))
