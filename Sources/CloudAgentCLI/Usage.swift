import Agent

/// The text of `cloud-agent --help`.
enum Usage {
    static let text = """
    \(AgentInfo.name) \(AgentInfo.version): one agent for managed Kubernetes clusters and VMs on
    AWS, Google Cloud and Azure, spoken to over JSON-RPC 2.0.

    Usage:
      cloud-agent serve [--socket [PATH]] [--max-message-bytes N] [--log-level LEVEL]
      cloud-agent call METHOD [PARAMS_JSON|-] [--socket [PATH]] [--quiet] [--compact]
      cloud-agent --help | --version

    Commands:
      serve        Serve JSON-RPC 2.0, one JSON text per line, on stdin/stdout (default),
                   or on a Unix socket with --socket (default path
                   $XDG_RUNTIME_DIR/cloud-agent/agent.sock, else /tmp/cloud-agent-$UID/agent.sock).
      call         Run one request and print its result JSON on stdout. Runs in this process,
                   or against a running agent with --socket. Progress goes to stderr; on error
                   the error JSON goes to stderr and the exit status is 1. PARAMS_JSON is a
                   JSON object ('-' reads it from stdin). Ctrl-C cancels the request.

    Options:
      --socket [PATH]          Use a Unix socket (PATH defaults as above).
      --max-message-bytes N    Longest accepted request line (default 16777216).
      --log-level LEVEL        trace, debug, info, warning, error or off (default: info;
                               also CLOUD_AGENT_LOG). Logs always go to stderr.
      --quiet                  call: do not print progress.
      --compact                call: print the result on one line.
      -h, --help               Show this help.
      -V, --version            Show the version.

    Exit status: 0 success; 1 the request failed or the agent could not start;
    2 usage error; 130 cancelled by Ctrl-C.

    Protocol reference: protocol/README.md and protocol/openrpc.json.
    """
}
