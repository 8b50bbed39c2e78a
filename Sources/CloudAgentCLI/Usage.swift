import Agent

/// The text of `cloud-agent --help`.
enum Usage {
    static let text = """
    \(AgentInfo.name) \(AgentInfo.version): one agent for managed Kubernetes clusters and VMs on
    AWS, Google Cloud and Azure, spoken to over JSON-RPC 2.0.

    Usage:
      cloud-agent serve [--socket [PATH]] [--config FILE] [--max-message-bytes N] [--log-level LEVEL]
      cloud-agent call METHOD [PARAMS_JSON|-] [--socket [PATH] | --config FILE] [--quiet] [--compact]
      cloud-agent token eks --cluster NAME [--region R] [--role-arn ARN [--external-id ID]] [--profile P]
                            [--endpoint-url URL] [--provider NAME [--config FILE]]
      cloud-agent token gcp [--provider NAME [--config FILE]]
      cloud-agent token azure [--provider NAME [--config FILE]]
      cloud-agent --help | --version

    Commands:
      serve        Serve JSON-RPC 2.0, one JSON text per line, on stdin/stdout (default),
                   or on a Unix socket with --socket (default path
                   $XDG_RUNTIME_DIR/cloud-agent/agent.sock, else /tmp/cloud-agent-$UID/agent.sock).
      call         Run one request and print its result JSON on stdout. Runs in this process,
                   or against a running agent with --socket. Progress goes to stderr; on error
                   the error JSON goes to stderr and the exit status is 1. PARAMS_JSON is a
                   JSON object ('-' reads it from stdin). Ctrl-C cancels the request.

      token eks    Print a Kubernetes ExecCredential with an EKS token for the cluster, made
                   from the AWS credential chain (the exec plugin of the kubeconfigs the agent
                   writes for EKS; no aws CLI needed). With --provider, the settings of that
                   provider of the config file (its keys too) fill in what the options leave out.
      token gcp    Print a Kubernetes ExecCredential with a Google access token (the exec plugin
                   of the kubeconfigs the agent writes for GKE; no gcloud needed), from that
                   provider's settings with --provider, else Google's default credentials.
      token azure  Print a Kubernetes ExecCredential with a Microsoft Entra token for AKS (the
                   exec plugin of the kubeconfigs the agent writes for Entra clusters; no
                   kubelogin needed), from that provider's settings with --provider, else the
                   Azure SDKs' default credentials.

    Options:
      --socket [PATH]          Use a Unix socket (PATH defaults as above).
      --config FILE            Providers to use (default $XDG_CONFIG_HOME/cloud-agent/config.json,
                               else ~/.config/cloud-agent/config.json; without one, only the
                               built-in 'local' provider). Local state lives under
                               $XDG_STATE_HOME/cloud-agent (else ~/.local/state/cloud-agent).
      --max-message-bytes N    Longest accepted request line (default 16777216).
      --log-level LEVEL        trace, debug, info, warning, error or off (default: info;
                               also CLOUD_AGENT_LOG). Logs always go to stderr.
      --quiet                  call: do not print progress.
      --compact                call: print the result on one line.
      -h, --help               Show this help.
      -V, --version            Show the version.

    Exit status: 0 success; 1 the request failed or the agent could not start;
    2 usage error; 130 cancelled by Ctrl-C.

    Example, on the built-in local provider (no cloud account needed):
      cloud-agent call createCluster '{"name": "demo", "wait": true}'
      cloud-agent call getKubeconfig '{"name": "demo"}'

    Protocol reference: protocol/README.md and protocol/openrpc.json.
    """
}
