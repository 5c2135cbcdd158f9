// Where a report's collaboration socket is (pages/reports/collab/provider.ts, runtimeConfig.ts): the
// local server's own path unless the deployment's runtime config names one (AWS: the site's
// /collab-ws, which CloudFront forwards to API Gateway's WebSocket API), opened for one report.
import { describe, expect, it } from "vitest";
import { configuredSocketUrl, SOCKET_MESSAGE_MAX } from "../../src/pages/reports/collab/provider";
import { parseRuntimeConfig } from "../../src/runtimeConfig";

describe("collaboration socket URL", () => {
  it("opens a configured path on the page's own site, secure where the page is", () => {
    expect(configuredSocketUrl("/collab-ws", "r1", "https://d1.cloudfront.net/reports/r1/edit")).toBe(
      "wss://d1.cloudfront.net/collab-ws?report=r1",
    );
    expect(configuredSocketUrl("/collab-ws", "r1", "http://127.0.0.1:8080/x")).toBe("ws://127.0.0.1:8080/collab-ws?report=r1");
  });

  it("takes a full URL as it is, naming the report once", () => {
    const url = configuredSocketUrl("wss://abc.execute-api.eu-west-1.amazonaws.com/collab-ws?report=old", "a b", "https://site/x");
    expect(url).toBe("wss://abc.execute-api.eu-west-1.amazonaws.com/collab-ws?report=a+b");
    expect(configuredSocketUrl("https://ws.example/live", "r", "https://site/x")).toBe("wss://ws.example/live?report=r");
  });

  it("keeps socket messages under API Gateway's 32 KiB frame", () => {
    const frame = JSON.stringify({ type: "update", client_id: "1234567890", update: "A".repeat(SOCKET_MESSAGE_MAX), id: "f".repeat(24) });
    expect(frame.length).toBeLessThanOrEqual(32 * 1024);
  });
});

describe("runtime config", () => {
  it("keeps the socket URL it knows and ignores anything else", () => {
    expect(parseRuntimeConfig({ collab_ws_url: "/collab-ws", other: 1 })).toEqual({ collab_ws_url: "/collab-ws" });
    expect(parseRuntimeConfig({ collab_ws_url: 3 })).toEqual({});
    expect(parseRuntimeConfig("<!doctype html>")).toEqual({});
    expect(parseRuntimeConfig(null)).toEqual({});
  });
});
