import { describe, expect, it, vi } from "vitest";

vi.stubGlobal("document", { cookie: "" });
const { ApiError } = await import("../../src/api/client");
const { signedOutBlock, signInHref } = await import("../../src/auth/signedOut");

describe("a signed-out visitor of a project", () => {
  it("signs in and comes back to the page it was on, query included", () => {
    expect(signInHref("/ada/mnist/runs/r1", "?x=1&y=2")).toBe("/login?next=%2Fada%2Fmnist%2Fruns%2Fr1%3Fx%3D1%26y%3D2");
    expect(signInHref("/ada/mnist")).toBe("/login?next=%2Fada%2Fmnist");
  });

  it("is told a private or missing project (404) needs a sign-in", () => {
    expect(signedOutBlock(new ApiError(404, "not_found", "no project"), false)).toBe("private");
  });

  it("is told to sign in again when the server refuses a leftover session cookie (401)", () => {
    expect(signedOutBlock(new ApiError(401, "unauthenticated", "session ended"), false)).toBe("session");
  });

  it("sees the page, with its own error, for anything else or while the lookup runs", () => {
    expect(signedOutBlock(null, false)).toBeNull();
    expect(signedOutBlock(new ApiError(500, "internal", "boom"), false)).toBeNull();
    expect(signedOutBlock(new ApiError(0, "network", "offline"), false)).toBeNull();
  });

  it("is never blocked once signed in: the pages keep their own 404 banner", () => {
    expect(signedOutBlock(new ApiError(404, "not_found", "no project"), true)).toBeNull();
  });
});
