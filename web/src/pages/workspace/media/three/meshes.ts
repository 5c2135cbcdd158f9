// Logged mesh files (.obj .gltf .glb .stl) as three.js objects, parsed from bytes already fetched.
import { Mesh, MeshPhongMaterial, MeshStandardMaterial, TextureLoader, type Object3D } from "three";
import { GLTFLoader, type GLTFLoaderPlugin, type GLTFParser } from "three/examples/jsm/loaders/GLTFLoader.js";
import { OBJLoader } from "three/examples/jsm/loaders/OBJLoader.js";
import { STLLoader } from "three/examples/jsm/loaders/STLLoader.js";

export const MESH_FORMATS = new Set(["obj", "gltf", "glb", "stl"]);
const MESH_COLOR = 0xb8c2d0;

/** The mesh in `bytes` as an object to add to a scene. */
export async function parseMesh(format: string, bytes: ArrayBuffer): Promise<Object3D> {
  if (format === "obj") {
    // An .mtl file is never logged with the .obj: every face gets one matte colour, facets visible.
    const obj = new OBJLoader().parse(new TextDecoder().decode(bytes));
    obj.traverse((o) => {
      if (o instanceof Mesh) o.material = new MeshPhongMaterial({ color: MESH_COLOR, flatShading: true, shininess: 10 });
    });
    return obj;
  }
  if (format === "stl") {
    const geometry = new STLLoader().parse(bytes);
    if (!geometry.hasAttribute("normal")) geometry.computeVertexNormals();
    return new Mesh(geometry, new MeshStandardMaterial({ color: MESH_COLOR, roughness: 0.7 }));
  }
  if (format === "gltf" || format === "glb") {
    const loader = new GLTFLoader().register(cspPlugin);
    const data = format === "gltf" ? new TextDecoder().decode(bytes) : bytes;
    return (await loader.parseAsync(data, "")).scene;
  }
  throw new Error(`Object3D format ${format} is not drawn.`);
}

/**
 * The dashboard's CSP lets fetch() read only our own origin (connect-src 'self'), and a logged
 * .gltf is one file: its buffers can only be data: URIs, which three's FileLoader would fetch.
 * They are decoded here instead. Images go through an <img> (TextureLoader; img-src allows data:
 * and blob:) rather than ImageBitmapLoader, which fetches them.
 */
function cspPlugin(parser: GLTFParser): GLTFLoaderPlugin {
  parser.textureLoader = new TextureLoader(parser.options.manager);
  const decoded = new Map<number, ArrayBuffer>();
  return {
    name: "wanllmdb_data_uri_buffers",
    loadBufferView(index: number) {
      const view = parser.json.bufferViews?.[index];
      const uri: unknown = parser.json.buffers?.[view?.buffer]?.uri;
      if (typeof uri !== "string" || !uri.startsWith("data:")) return null;
      let buffer = decoded.get(view.buffer);
      if (!buffer) decoded.set(view.buffer, (buffer = dataUriBytes(uri)));
      const start = view.byteOffset ?? 0;
      return Promise.resolve(buffer.slice(start, start + (view.byteLength ?? 0)));
    },
  };
}

/** The bytes of a base64 data: URI. */
export function dataUriBytes(uri: string): ArrayBuffer {
  const comma = uri.indexOf(",");
  if (!/;base64$/i.test(uri.slice(0, comma))) return new TextEncoder().encode(decodeURIComponent(uri.slice(comma + 1))).buffer as ArrayBuffer;
  const bin = atob(uri.slice(comma + 1));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}
