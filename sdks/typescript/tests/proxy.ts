// A loopback HTTP proxy in front of the real server that injects faults into chosen requests:
// "503" answers for the server (it never sees the request), "drop" closes the connection before the
// server sees it, "lose-answer" lets the server act and then drops its answer (so the client sends
// the same request again: a re-sent chunk).
import { createServer, request, type IncomingMessage, type Server } from "node:http";

export type Fault = "pass" | "503" | "drop" | "lose-answer";

export interface Proxy {
  url: string;
  /** Requests seen, as "METHOD path" with the fault applied. */
  log: Array<{ method: string; path: string; fault: Fault }>;
  stop(): Promise<void>;
}

export async function startProxy(target: string, decide: (req: IncomingMessage, n: number) => Fault): Promise<Proxy> {
  const upstream = new URL(target);
  const log: Proxy["log"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const fault = decide(req, log.length);
      log.push({ method: req.method ?? "", path: req.url ?? "", fault });
      if (fault === "503") {
        res.writeHead(503, { "Content-Type": "text/plain" }).end("injected fault");
        return;
      }
      if (fault === "drop") {
        req.socket.destroy();
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const fwd = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            if (fault === "lose-answer") {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
          });
        },
      );
      fwd.on("error", () => req.socket.destroy());
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
