"""The agent as an MCP server, driven by the official `mcp` Python SDK in its default
connection mode ("auto": a `server/discover` probe, then the `initialize` handshake).

Lists the tools, creates a cluster on the `local` provider with progress, reads it back,
and checks that a failing tool call is an MCP tool error (`isError`), not a crash.
Run by scripts/test: `python mcp_sdk_check.py PATH_TO_CLOUD_AGENT`. Exits 0 when every
check holds; prints each check.
"""

import asyncio
import json
import os
import sys
import tempfile

from mcp import Client, StdioServerParameters

failures = []


def check(condition, what):
    print(("  ok    " if condition else "  FAIL  ") + what)
    if not condition:
        failures.append(what)


async def main(binary):
    home = tempfile.mkdtemp(prefix="cloud-agent-mcp-")
    env = {"XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config", "PATH": os.environ.get("PATH", "")}
    config_dir = home + "/config/cloud-agent"
    os.makedirs(config_dir)
    with open(config_dir + "/config.json", "w") as f:
        # A local provider fast enough for a test, slow enough to report progress.
        json.dump({"providers": [{"name": "quick", "kind": "local", "timeScale": 0.2},
                                 {"name": "slow", "kind": "local", "timeScale": 1000}]}, f)
    server = StdioServerParameters(command=binary, args=["serve"], env=env)
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
        names = {tool.name for tool in tools}
        check({"createCluster", "getCluster", "listClusters", "createInstance", "waitClusterReady"} <= names,
              f"tools/list offers the cloud methods ({len(tools)} tools)")
        check("configureProvider" not in names, "configureProvider is not a tool")
        create = next(tool for tool in tools if tool.name == "createCluster")
        schema = create.input_schema if hasattr(create, "input_schema") else create.inputSchema
        check(schema.get("type") == "object" and "name" in schema.get("required", []), "createCluster's input schema requires name")
        check("$ref" not in json.dumps(schema), "input schemas stand alone (no $ref)")

        progress = []

        async def on_progress(value, total, message):
            progress.append((value, total, message))

        created = await client.call_tool("createCluster", {"provider": "quick", "name": "mcp-demo", "nodeCount": 1, "wait": True},
                                         progress_callback=on_progress)
        structured = created.structured_content if hasattr(created, "structured_content") else created.structuredContent
        is_error = created.is_error if hasattr(created, "is_error") else created.isError
        check(not is_error and structured and structured.get("status") == "active", f"createCluster with wait answers the active cluster")
        check(len(progress) >= 2, f"progress notifications arrived ({len(progress)})")
        values = [value for value, _, _ in progress]
        check(values == sorted(values), "progress grows")
        check(any(created.content) and json.loads(created.content[0].text).get("name") == "mcp-demo", "the result is also text (JSON)")

        got = await client.call_tool("getCluster", {"provider": "quick", "name": "mcp-demo"})
        structured = got.structured_content if hasattr(got, "structured_content") else got.structuredContent
        check(structured.get("name") == "mcp-demo" and structured.get("nodePools")[0]["nodeCount"] == 1, "getCluster reads it back")

        missing = await client.call_tool("getCluster", {"provider": "quick", "name": "no-such-cluster"})
        is_error = missing.is_error if hasattr(missing, "is_error") else missing.isError
        check(is_error and "-32002" in missing.content[0].text, "a missing cluster is a tool error, with the agent's code")
        wrong = await client.call_tool("createCluster", {"provider": "quick", "name": "Not Valid!"})
        is_error = wrong.is_error if hasattr(wrong, "is_error") else wrong.isError
        check(is_error, "an invalid argument is a tool error")
        listed = await client.call_tool("listClusters", {"provider": "quick"})
        structured = listed.structured_content if hasattr(listed, "structured_content") else listed.structuredContent
        check([c["name"] for c in structured["clusters"]] == ["mcp-demo"], "the server still serves after tool errors")

        # Cancelling a call sends notifications/cancelled; the agent stops the wait and serves on.
        await client.call_tool("createCluster", {"provider": "slow", "name": "long", "nodeCount": 1})
        waiting = asyncio.create_task(client.call_tool("waitClusterReady", {"provider": "slow", "name": "long"}))
        await asyncio.sleep(1)
        waiting.cancel()
        try:
            await waiting
            check(False, "a cancelled wait ends")
        except asyncio.CancelledError:
            check(True, "a cancelled wait ends")
        again = await client.call_tool("getCluster", {"provider": "slow", "name": "long"})
        structured = again.structured_content if hasattr(again, "structured_content") else again.structuredContent
        check(structured.get("status") == "creating", "the agent serves on after the cancellation")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    if failures:
        print(f"mcp check: {len(failures)} check(s) failed")
        sys.exit(1)
    print("mcp check: all passed")
