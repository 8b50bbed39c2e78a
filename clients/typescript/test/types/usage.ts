// Type tests of index.d.ts, checked by `tsc -p clients/typescript` (see run-tests); never run.
// Each `@ts-expect-error` line must be an error: if the types stop catching a mistake, tsc fails
// with "Unused '@ts-expect-error' directive", so this file can fail both ways.
import {
  Agent, CloudAgentError, ConflictError, NotFoundError, ERROR_CLASSES, METHODS, PROTOCOL_VERSION,
  connectAgent, spawnAgent,
} from "../../index.js";
import type {
  CreateClusterParams, Instance, KubernetesCluster, MethodName, NotFoundData, ProgressValue,
  ResourceStatus,
} from "../../index.js";

const version: "2026-11-28" = PROTOCOL_VERSION;
const first: MethodName = METHODS[0].method;

async function usage(): Promise<void> {
  const agent: Agent = await spawnAgent({ path: "/bin/cloud-agent", args: ["--log-level", "debug"] });
  const other: Agent = await connectAgent("/tmp/agent.sock", { initialize: false });

  // Generated methods: params and results are typed.
  const controller = new AbortController();
  const cluster: KubernetesCluster = await agent.createCluster(
    { name: "demo", nodeCount: 2, wait: true, tags: { env: "dev" } },
    { signal: controller.signal, onProgress: (value: ProgressValue) => value.message.length },
  );
  const status: ResourceStatus = cluster.status;
  const name: string = cluster.name;
  const instance: Instance = await agent.getInstance({ id: "i-1" });
  const pools = await agent.listNodePools({ cluster: "demo" });

  // The generic call: known methods are typed by name, unknown ones are `unknown`.
  const same: KubernetesCluster = await agent.call("getCluster", { name: "demo" });
  const anything: unknown = await agent.call("x.custom", { a: 1 });

  // @ts-expect-error name is required
  await agent.getCluster({});
  // @ts-expect-error nodeCount is a number
  await agent.createCluster({ name: "demo", nodeCount: "3" });
  // @ts-expect-error no such param
  const params: CreateClusterParams = { name: "demo", nodeCoun: 3 };
  // @ts-expect-error a cluster is not an instance
  const wrong: Instance = await agent.getCluster({ name: "demo" });
  // @ts-expect-error the result of a known method name is typed
  const notString: string = await agent.call("getCluster", { name: "demo" });
  // @ts-expect-error statuses are a closed set
  const badStatus: ResourceStatus = "ready";
  // @ts-expect-error onProgress receives ProgressValue
  await agent.ping(undefined, { onProgress: (value: number) => value });

  // Errors: classes by code, with typed data.
  try {
    await agent.deleteCluster({ name: "demo" });
  } catch (error) {
    if (error instanceof NotFoundError) {
      const code: -32002 = error.code;
      const data: NotFoundData | undefined = error.data;
      const kind: "cluster" | "node pool" | "instance" | undefined = data?.resourceType;
    } else if (error instanceof ConflictError) {
      const code: -32003 = error.code;
    } else if (error instanceof CloudAgentError) {
      const code: number = error.code;
    }
  }
  const cls: typeof CloudAgentError | undefined = ERROR_CLASSES.get(-32002);

  const info = await agent.close({ timeoutMs: 1000 });
  const exit: number | null = info.exitCode;
  const unsubscribe: () => void = other.onNotification((message) => message.method);
  unsubscribe();
}

export { usage, version, first };
