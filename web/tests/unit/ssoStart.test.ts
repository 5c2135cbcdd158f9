import { describe, expect, it } from "vitest";
import { ssoStartHref } from "../../src/api/auth";

describe("ssoStartHref", () => {
  const returnTo = (href: string) => new URL(href, "http://site").searchParams.get("return_to");

  it("sends the issuer's answer back to the login page, which then goes on to next", () => {
    const href = ssoStartHref("/api/auth/oidc/start", "/projects/p1?tab=runs");
    expect(href.startsWith("/api/auth/oidc/start?return_to=")).toBe(true);
    const back = new URL(returnTo(href)!, "http://site");
    expect(back.pathname).toBe("/login");
    expect(back.searchParams.get("sso")).toBe("1");
    expect(back.searchParams.get("next")).toBe("/projects/p1?tab=runs");
  });

  it("drops a next that would leave the site", () => {
    for (const next of ["//evil.example/x", "https://evil.example", null]) {
      expect(returnTo(ssoStartHref("/api/auth/oidc/start", next))).toBe("/login?sso=1");
    }
  });
});
