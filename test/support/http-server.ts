/** A real HTTP server on 127.0.0.1 that answers from a script and records what it was asked. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
    readonly url: string;
    readonly requests: string[];
    close(): Promise<void>;
}

/** Answers request n with statuses[n] (the last one repeats). */
export async function startServer(statuses: readonly number[]): Promise<TestServer> {
    const requests: string[] = [];
    const server: Server = createServer((request, response) => {
        const status = statuses[Math.min(requests.length, statuses.length - 1)] ?? 200;
        requests.push(request.url ?? "");
        response.writeHead(status, { "content-type": "text/html" });
        response.end(status === 200 ? "<title>YAO Bank</title>" : "error");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        requests,
        close: () =>
            new Promise((resolve) =>
                server.close(() => {
                    resolve();
                }),
            ),
    };
}

/** A loopback URL nobody listens on. */
export async function closedUrl(): Promise<string> {
    const server = await startServer([200]);
    await server.close();
    return server.url;
}

/** Runs `use` with a server answering `statuses`, and closes it whatever happens. */
export async function withServer<T>(
    statuses: readonly number[],
    use: (server: TestServer) => Promise<T>,
): Promise<T> {
    const server = await startServer(statuses);
    try {
        return await use(server);
    } finally {
        await server.close();
    }
}
