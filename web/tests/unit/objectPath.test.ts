import { describe, expect, it } from "vitest";
import { objectPath } from "../../src/pages/links/objectPath";

describe("objectPath", () => {
  it("sends a run to its project's run page through the id resolver", () => {
    expect(objectPath("/runs/abc123", "p1")).toBe("/p/p1/runs/abc123");
  });
  it("keeps a project path's tail and query", () => {
    expect(objectPath("/projects/p1/artifacts/model", "p1")).toBe("/p/p1/artifacts/model");
    expect(objectPath("/projects/p1/workspace?view=main", "p1")).toBe("/p/p1/workspace?view=main");
  });
  it("passes settings paths through", () => {
    expect(objectPath("/settings/org", null)).toBe("/settings/org");
  });
  it("passes the registry's pages and the review inbox through (a registry notification's project_id is the registry's)", () => {
    expect(objectPath("/registries/acme/model/resnet/v3", "reg1")).toBe("/registries/acme/model/resnet/v3");
    expect(objectPath("/registry-requests", null)).toBe("/registry-requests");
    expect(objectPath("/registriesx", null)).toBeNull();
  });
  it("has no path for a run without its project, or for nothing", () => {
    expect(objectPath("/runs/abc123", null)).toBeNull();
    expect(objectPath(null, "p1")).toBeNull();
    expect(objectPath("/elsewhere", "p1")).toBeNull();
  });
});
