// SSO end to end: headless Chromium clicks "Sign in with …" on the login page of a real `wanllmdb
// server` configured with the in-test OIDC issuer (tests/functions/identity/oidc_provider.py, a real
// HTTP server on 127.0.0.1): code flow with PKCE, the callback's cookies, and the page learning who
// signed in. Any console error fails the test.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, pyEnv, REPO, type Server, SHOTS, startServer, watchedPage, WEB } from "./harness";

const bin = findServerCommand();

/** Starts the test issuer and resolves with its URL (the first line it prints). */
function startIssuer(python: string): Promise<{ url: string; proc: ChildProcess }> {
  const script = join(REPO, "tests", "functions", "identity", "oidc_provider.py");
  const proc = spawn(python, [script, "--email", "ada@example.com"], { env: pyEnv(), stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once("line", (line) => ok({ url: (JSON.parse(line) as { url: string }).url, proc }));
    proc.once("exit", (code) => fail(new Error(`test issuer exited with ${code}`)));
  });
}

describe.skipIf(!bin)("sign-in with SSO against a real local server and a test OIDC issuer", () => {
  let issuer: { url: string; proc: ChildProcess };
  let server: Server;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    mkdirSync(SHOTS, { recursive: true });
    issuer = await startIssuer(join(dirname(bin!), "python"));
    server = await startServer(bin!, {
      WANLLMDB_OIDC_ISSUER: issuer.url,
      WANLLMDB_OIDC_CLIENT_ID: "wanllmdb-test",
      WANLLMDB_OIDC_DISPLAY_NAME: "Test IdP",
    });
    const registered = await fetch(`${issuer.url}/register`, {
      method: "POST",
      body: JSON.stringify({ redirect_uri: `${server.url}/api/auth/oidc/callback` }),
    });
    expect(registered.status).toBe(201);
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    issuer?.proc.kill("SIGTERM");
  });

  it("shows the SSO button, signs in through the issuer and lands where the user was going", async () => {
    await page.goto(`${server.url}/login?next=/settings/profile`);
    const button = page.getByTestId("sso-login");
    await expect.poll(() => button.textContent()).toBe("Sign in with Test IdP");
    await page.screenshot({ path: join(SHOTS, "sso-login.png") });
    await button.click();
    // Through the issuer and the callback, back to the login page, which reads /api/auth/me.
    await page.waitForURL(`${server.url}/settings/profile`);
    await page.getByRole("link", { name: "ada", exact: true }).waitFor();
    const cookies = await page.context().cookies(server.url);
    const session = cookies.find((c) => c.name === "wl_session");
    expect(session?.httpOnly).toBe(true);
    expect(cookies.find((c) => c.name === "wl_oidc")).toBeUndefined();
    // The session works for the API as for a password login.
    const me = await page.evaluate(async () => (await fetch("/api/auth/me")).json());
    expect(me.username).toBe("ada");
    expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  });
});
