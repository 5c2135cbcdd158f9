import { describe, expect, it } from "vitest";
import { formatBytes, formatterFor, unitOf } from "../../src/shaping/units";

describe("system metric units", () => {
  it("knows the unit of each system.* key in docs/sdk.md", () => {
    expect(unitOf("system.cpu")).toBe("percent");
    expect(unitOf("system.cpu.3.cpu_percent")).toBe("percent");
    expect(unitOf("system.memory_percent")).toBe("percent");
    expect(unitOf("system.proc.memory.availableMB")).toBe("bytes");
    expect(unitOf("system.proc.memory.rssMB")).toBe("bytes");
    expect(unitOf("system.proc.memory.percent")).toBe("percent");
    expect(unitOf("system.disk.in")).toBe("bytes");
    expect(unitOf("system.network.recv")).toBe("bytes");
    expect(unitOf("system.disk.usagePercent")).toBe("percent");
    expect(unitOf("system.disk.usageGB")).toBe("bytes");
    expect(unitOf("system.gpu.0.gpu")).toBe("percent");
    expect(unitOf("system.gpu.0.memoryAllocated")).toBe("percent");
    expect(unitOf("system.gpu.1.memoryAllocatedBytes")).toBe("bytes");
    expect(unitOf("system.gpu.0.temp")).toBe("celsius");
    expect(unitOf("system.gpu.0.powerWatts")).toBe("watts");
    expect(unitOf("system.gpu.0.powerPercent")).toBe("percent");
    expect(unitOf("system.gpu.0.smClock")).toBe("mhz");
    expect(unitOf("system.proc.cpu.threads")).toBeNull();
    expect(unitOf("train/loss_percent")).toBeNull();
  });
  it("formats values with their unit", () => {
    expect(formatterFor("system.cpu")(25.675)).toBe("25.7%");
    expect(formatterFor("system.gpu.0.temp")(61)).toBe("61 °C");
    expect(formatterFor("system.gpu.0.powerWatts")(251.3)).toBe("251 W");
    expect(formatterFor("system.proc.memory.rssMB")(1536)).toBe("1.5 GiB");
    expect(formatterFor("system.network.sent")(2048)).toBe("2 KiB");
    expect(formatterFor("train/loss")(0.25)).toBe("0.25");
    expect(formatBytes(0)).toBe("0 B");
  });
});
