import { describe, expect, it } from "vitest";
import { dataUriBytes } from "../../src/pages/workspace/media/three/meshes";

describe("glTF data: buffers under the dashboard's CSP", () => {
  it("decodes base64 and percent-encoded data URIs to bytes", () => {
    expect(Array.from(new Uint8Array(dataUriBytes("data:application/octet-stream;base64,AAECAwQ=")))).toEqual([0, 1, 2, 3, 4]);
    expect(new TextDecoder().decode(dataUriBytes("data:text/plain,a%20b"))).toBe("a b");
  });
});
