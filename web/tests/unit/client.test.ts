import { beforeEach, describe, expect, it, vi } from "vitest";

// The API client's session handling, against a fake fetch: the browser parts it touches
// (document.cookie, localStorage, navigator) are stubbed before the modules load.
const store = new Map<string, string>();
vi.stubGlobal("localStorage", {
  getItem: (k: string) => store.get(k) ?? null,
  setItem: (k: string, v: string) => void store.set(k, v),
  removeItem: (k: string) => void store.delete(k),
});
vi.stubGlobal("document", { cookie: "" });
vi.stubGlobal("navigator", {});

store.set("wanllmdb.session", JSON.stringify({ token: "wls_old", username: "ada" }));
const { api, refreshesOn401 } = await import("../../src/api/client");
const { markSignedIn, readSignedIn } = await import("../../src/auth/session");

type Handler = (req: Request) => Response | Promise<Response>;
let calls: Request[] = [];

function serve(handler: Handler) {
  calls = [];
  vi.stubGlobal("fetch", async (input: Request | string, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(input, "http://localhost"), init);
    calls.push(req);
    return handler(req);
  });
}

const json = (status: number, body: unknown = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const path = (r: Request) => `${r.method} ${new URL(r.url).pathname}`;

describe("api client session", () => {
  beforeEach(() => {
    document.cookie = "theme=dark; wl_csrf=csrf-1";
    markSignedIn({ username: "ada" });
  });

  it("drops a token an older version kept in localStorage", () => {
    expect(store.has("wanllmdb.session")).toBe(false);
  });

  it("echoes the CSRF cookie on unsafe requests only, and sends no bearer token", async () => {
    serve(() => json(200, { items: [] }));
    await api.GET("/api/keys");
    await api.POST("/api/keys", { body: { name: "k", scope: "all" } });
    expect(calls.map((c) => [path(c), c.headers.get("X-CSRF-Token")])).toEqual([
      ["GET /api/keys", null],
      ["POST /api/keys", "csrf-1"],
    ]);
    expect(calls.every((c) => !c.headers.has("Authorization"))).toBe(true);
  });

  it("on a 401 refreshes once and retries with the new CSRF token, even for concurrent requests", async () => {
    let refreshed = false;
    serve(async (req) => {
      if (path(req) === "POST /api/auth/refresh") {
        expect(await req.json()).toEqual({ session: "cookie" });
        refreshed = true;
        document.cookie = "wl_csrf=csrf-2";
        return json(200);
      }
      return refreshed ? json(201, { ok: true }) : json(401);
    });
    const [a, b] = await Promise.all([
      api.POST("/api/keys", { body: { name: "a", scope: "all" } }),
      api.POST("/api/keys", { body: { name: "b", scope: "all" } }),
    ]);
    expect([a.response.status, b.response.status]).toEqual([201, 201]);
    expect(calls.filter((c) => path(c) === "POST /api/auth/refresh")).toHaveLength(1);
    const retried = calls.filter((c) => path(c) === "POST /api/keys").slice(2);
    expect(retried.map((c) => c.headers.get("X-CSRF-Token"))).toEqual(["csrf-2", "csrf-2"]);
    expect(readSignedIn()).toEqual({ username: "ada" });
  });

  it("falls back to the login page when the refresh fails", async () => {
    serve(() => json(401));
    const r = await api.GET("/api/projects");
    expect(r.response.status).toBe(401);
    expect(calls.map(path)).toEqual(["GET /api/projects", "GET /api/auth/me", "POST /api/auth/refresh"]);
    expect(readSignedIn()).toBeNull();
  });

  it("signed out (a public project's visitor), takes a 401 as the answer: no refresh, no /api/auth/me", async () => {
    markSignedIn(null);
    serve(() => json(401));
    const r = await api.GET("/api/projects");
    expect(r.response.status).toBe(401);
    expect(calls.map(path)).toEqual(["GET /api/projects"]);
  });

  it("refreshes on a 401 only for a signed-in page and only off the sign-in routes", () => {
    expect(refreshesOn401("/api/projects/p1/runs", true)).toBe(true);
    expect(refreshesOn401("/api/projects/p1/runs", false)).toBe(false);
    expect(refreshesOn401("/api/auth/refresh", true)).toBe(false);
    expect(refreshesOn401("/api/auth/login", true)).toBe(false);
  });

  it("takes a refused login as the answer, without refreshing", async () => {
    serve(() => json(401, { error: { code: "unauthenticated", message: "wrong", field: "password" } }));
    await api.POST("/api/auth/login", { body: { username: "ada", password: "x", session: "cookie" } });
    expect(calls.map(path)).toEqual(["POST /api/auth/login"]);
  });
});
