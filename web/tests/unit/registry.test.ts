import { describe, expect, it } from "vitest";
import {
  aliasesByVersion,
  describeEntry,
  directStages,
  groupByStage,
  requestableStages,
  requestSummary,
  stageClass,
  stageHolders,
  timelineByDay,
  versionIndex,
} from "../../src/shaping/registry";

const settings = { protected_stages: ["Staging", "Production"], protected_aliases: ["production"] };

describe("stage holders and groups", () => {
  it("lists Production then Staging holders, newest first, leaving empty stages out", () => {
    expect(stageHolders({ Staging: ["v2", "v10"], Production: ["v1"], Archived: ["v0"] })).toEqual([
      { stage: "Production", versions: ["v1"] },
      { stage: "Staging", versions: ["v10", "v2"] },
    ]);
    expect(stageHolders({ Production: [] })).toEqual([]);
    expect(stageHolders(undefined)).toEqual([]);
  });

  it("groups versions with Production and Staging first, then the lifecycle, then unknown stages", () => {
    const versions = ["Archived:v0", "Development:v3", "Production:v1", "Development:v12", "Staging:v2", "Canary:v4"].map((s) => {
      const [stage, version] = s.split(":");
      return { stage, version };
    });
    expect(groupByStage(versions).map((g) => [g.stage, g.versions.map((v) => v.version)])).toEqual([
      ["Production", ["v1"]],
      ["Staging", ["v2"]],
      ["Development", ["v12", "v3"]],
      ["Archived", ["v0"]],
      ["Canary", ["v4"]],
    ]);
  });

  it("numbers versions, and sorts what is not vN last", () => {
    expect(versionIndex("v12")).toBe(12);
    expect(versionIndex("latest")).toBe(-1);
  });

  it("turns alias → version around, latest first", () => {
    const by = aliasesByVersion({ production: "v1", latest: "v3", champion: "v3", best: "v3" });
    expect(by.get("v3")).toEqual(["latest", "best", "champion"]);
    expect(by.get("v1")).toEqual(["production"]);
    expect(by.get("v0")).toBeUndefined();
  });

  it("names a badge class per known stage", () => {
    expect(stageClass("Production")).toBe("stage-production");
    expect(stageClass("<b>")).toBe("stage-other");
  });
});

describe("what the caller may move", () => {
  it("gives admins every other stage, writers the unprotected ones, readers none", () => {
    expect(directStages(["registry:read", "registry:write", "registry:admin"], settings, "Development")).toEqual(["Staging", "Production", "Archived"]);
    expect(directStages(["registry:read", "registry:write"], settings, "Development")).toEqual(["Archived"]);
    expect(directStages(["registry:read", "registry:write"], settings, "Archived")).toEqual(["Development"]);
    expect(directStages(["registry:read"], settings, "Development")).toEqual([]);
    expect(directStages(["registry:read", "registry:write"], settings, "Production")).toEqual([]);
    expect(directStages(["registry:read", "registry:write", "registry:admin"], settings, "Production")).toEqual(["Development", "Staging", "Archived"]);
  });

  it("offers protected stages first in a request", () => {
    expect(requestableStages(settings, "Staging")).toEqual(["Production", "Development", "Archived"]);
    expect(requestableStages({ ...settings, protected_stages: [] }, "Development")).toEqual(["Staging", "Production", "Archived"]);
  });

  it("says what a request asks", () => {
    expect(requestSummary({ target_kind: "stage", target: "Production", version: "v3" })).toBe("Production for v3");
    expect(requestSummary({ target_kind: "alias", target: "production", version: "v3" })).toBe("alias production on v3");
  });
});

describe("the stage timeline", () => {
  const at = "2025-03-04T12:00:00Z";
  it("describes each kind of entry", () => {
    expect(describeEntry({ at, by: "ana", version: "v1", kind: "linked" })).toBe("v1 linked");
    expect(describeEntry({ at, by: "ana", version: "v1", kind: "linked", after: "p123:resnet:v4" })).toBe("v1 linked from resnet:v4");
    expect(describeEntry({ at, by: "ana", version: "v1", kind: "unlinked", before: "p123:resnet:v4" })).toBe("v1 unlinked");
    expect(describeEntry({ at, by: "ben", version: "v1", kind: "stage", before: "Staging", after: "Production" })).toBe("v1 moved from Staging to Production");
    expect(describeEntry({ at, by: "ben", version: "v1", kind: "stage", before: null, after: "Staging" })).toBe("v1 moved to Staging");
    expect(describeEntry({ at, by: "ben", version: "v2", kind: "alias", before: "v1", after: "production" })).toBe("alias production moved to v2 from v1");
    expect(describeEntry({ at, by: "ben", version: "v2", kind: "alias", before: null, after: "champion" })).toBe("alias champion set on v2");
    expect(describeEntry({ at, by: "ben", version: "v2", kind: "alias", before: "v2", after: "champion", status: "removed" })).toBe("alias champion removed from v2");
    expect(describeEntry({ at, by: "ana", version: "v2", kind: "request", after: "Production", status: "pending" })).toBe("Production for v2 requested");
    expect(describeEntry({ at, by: "ben", version: "v2", kind: "request", after: "Production", status: "approved" })).toBe("request of Production for v2 approved");
    expect(describeEntry({ at, by: "ben", version: "v2", kind: "request", after: "Production", status: "rejected" })).toBe("request of Production for v2 rejected");
    expect(describeEntry({ at, by: "ana", version: "v2", kind: "request", before: "v1", after: "production", status: "pending" })).toBe("alias production for v2 requested");
  });

  it("groups entries by day, newest first", () => {
    process.env.TZ = "UTC"; // the reader's days; Node reads TZ afresh
    const entries = [
      { at: "2025-03-04T09:00:00Z", id: "a" },
      { at: "2025-03-05T12:00:00Z", id: "c" },
      { at: "2025-03-04T13:00:00Z", id: "b" },
    ];
    const days = timelineByDay(entries);
    expect(days.map((d) => d.entries.map((e) => e.id))).toEqual([["c"], ["b", "a"]]);
    expect(days.map((d) => d.day)).toEqual(["2025-03-05", "2025-03-04"]);
    expect(timelineByDay([])).toEqual([]);
  });
});
