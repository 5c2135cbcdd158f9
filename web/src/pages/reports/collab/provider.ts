// A Yjs provider for a report (issue 21, "Collab"; server: functions/wanllmdb_functions/reports/collab*.py).
//
// The Y.Doc syncs through the server's append-only log of updates: every update has a per-report seq,
// so a client asks for what came after the last seq it applied. Local updates are sent with an id made
// here, and sent again until acknowledged: the server stores an id once, so a retry never duplicates.
// Transport: a websocket carrying the same JSON as REST: the local server's (/api/reports/{id}/collab/ws),
// or where the deployment's runtime config says (AWS: API Gateway's WebSocket API at the site's
// /collab-ws?report=<id>). When it is missing (a proxy that drops upgrades) or drops, a REST long-poll
// until it is back. API Gateway carries messages of at most 128 KiB (and a browser sends each as one
// 32 KiB frame at most), so a large update always goes by REST, and a state too large for a message is
// announced as {"type": "pull"}: the client GETs it.
// Presence is y-protocols awareness: the local state goes to POST .../collab/presence (as `cursor`), and
// the others' presence entries come back as awareness updates, so @tiptap/extension-collaboration-caret
// draws their carets and names.
import * as Y from "yjs";
import * as awarenessProtocol from "y-protocols/awareness";
import { csrfToken } from "../../../auth/session";
import { runtimeConfig } from "../../../runtimeConfig";

export type CollabStatus = "connecting" | "websocket" | "polling" | "offline";

export interface CollabUser {
  name: string;
  color?: string;
}

export interface PresenceEntry {
  client_id: string;
  user: string;
  name: string;
  color: string;
  cursor?: Record<string, unknown> | null;
  block_id?: string | null;
  at: string;
}

interface CollabState {
  seq: number;
  updates: string[];
  presence: PresenceEntry[];
  presence_tag: string;
}

export interface ProviderOptions {
  /** "auto": websocket, falling back to long-poll. */
  transport?: "auto" | "websocket" | "poll";
  /** Origin of the API (default: this page's). */
  baseUrl?: string;
  /** The collaboration socket when it is not the local server's (default: the runtime config's). */
  socketUrl?: string;
  /** How long a long-poll waits on the server (s). */
  pollWaitS?: number;
}

const HEARTBEAT_MS = 10_000;
const PRESENCE_THROTTLE_MS = 50;
const GAP_RESYNC_MS = 300;
// A socket message larger than this goes by REST: API Gateway refuses frames over 32 KiB.
export const SOCKET_MESSAGE_MAX = 30_000;

/** The socket URL for `reportId` when the deployment names one (`configured`: a URL, or a path on
 * the page's own site), with the page's scheme turned into ws(s). */
export function configuredSocketUrl(configured: string, reportId: string, pageUrl: string): string {
  const url = new URL(configured, pageUrl);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  url.searchParams.set("report", reportId);
  return url.toString();
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// y-protocols' awareness update: varUint count, then (varUint client, varUint clock, varString JSON)
// per client (lib0's encoding, written out here: lib0 is only yjs's dependency, not ours).
function encodeAwareness(entries: [number, number, string][]): Uint8Array {
  const out: number[] = [];
  const varUint = (n: number) => {
    while (n > 0x7f) {
      out.push(0x80 | (n & 0x7f));
      n = Math.floor(n / 128);
    }
    out.push(n);
  };
  varUint(entries.length);
  for (const [client, clock, json] of entries) {
    varUint(client);
    varUint(clock);
    const bytes = new TextEncoder().encode(json);
    varUint(bytes.length);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

type Listener = (...args: unknown[]) => void;

/** Thrown for an answer that retrying cannot fix (403: no edit rights; 422: not an update). */
export class CollabRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ReportCollabProvider {
  readonly awareness: awarenessProtocol.Awareness;
  status: CollabStatus = "offline";
  /** The last seq applied: every update up to it is in the doc. */
  seq = 0;
  /** Set after the first full sync: `serverWasEmpty` says whether the report had no history then. */
  synced = false;
  serverWasEmpty = false;
  /** The server refused our edits (403): the doc is read-only for this user. */
  readOnly = false;
  presence: PresenceEntry[] = [];

  private readonly base: string;
  private readonly socketUrlOption: string | undefined;
  private readonly transport: "auto" | "websocket" | "poll";
  private readonly pollWaitS: number;
  private readonly clientId: string;
  private readonly listeners = new Map<string, Set<Listener>>();
  // Sent but not acknowledged, by id, in order: sent again after a reconnect.
  private readonly unacked = new Map<string, string>();
  // Seqs seen above `seq` (our acks, broadcasts out of order): `seq` advances through them.
  private readonly ahead = new Set<number>();
  private readonly remoteClocks = new Map<number, number>();
  private ws: WebSocket | null = null;
  private connected = false;
  private pollAbort: AbortController | null = null;
  private presenceTag = "";
  private restSending = false;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private wsFailures = 0;
  private syncedWaiters: (() => void)[] = [];

  constructor(
    readonly reportId: string,
    readonly doc: Y.Doc,
    options: ProviderOptions = {},
  ) {
    this.base = options.baseUrl ?? window.location.origin;
    this.socketUrlOption = options.socketUrl;
    this.transport = options.transport ?? "auto";
    this.pollWaitS = options.pollWaitS ?? 20;
    this.clientId = String(doc.clientID);
    this.awareness = new awarenessProtocol.Awareness(doc);
    doc.on("update", this.onDocUpdate);
    this.awareness.on("update", this.onAwarenessUpdate);
  }

  // -- events ---------------------------------------------------------------------------------
  on(event: "status" | "synced" | "presence" | "refused", listener: Listener): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }

  off(event: string, listener: Listener): void {
    this.listeners.get(event)?.delete(listener);
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }

  /** Resolves after the first sync with the server. */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((ok) => this.syncedWaiters.push(ok));
  }

  private setStatus(status: CollabStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit("status", status);
  }

  // -- lifecycle ------------------------------------------------------------------------------
  connect(): void {
    if (this.connected) return;
    this.connected = true;
    this.setStatus("connecting");
    if (this.transport === "poll") this.startPolling();
    else this.openSocket();
    this.heartbeat = setInterval(() => this.sendPresence(), HEARTBEAT_MS);
  }

  /** Stops syncing and says we left (our presence goes at once); the doc stays as it is. */
  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.pollAbort?.abort();
    this.pollAbort = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "leave", client_id: this.clientId }));
      ws.close();
    } else {
      void this.rest("DELETE", `presence/${this.clientId}`).catch(() => undefined);
    }
    this.setStatus("offline");
  }

  destroy(): void {
    this.disconnect();
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    this.awareness.destroy();
  }

  // -- applying what the server has -----------------------------------------------------------
  private applyState(state: CollabState): void {
    Y.transact(
      this.doc,
      () => {
        for (const u of state.updates) Y.applyUpdate(this.doc, fromBase64(u), this);
      },
      this,
    );
    if (state.seq > this.seq) this.seq = state.seq;
    this.advance();
    this.applyPresence(state.presence, state.presence_tag);
    if (!this.synced) {
      this.synced = true;
      this.serverWasEmpty = state.seq === 0;
      this.emit("synced");
      for (const ok of this.syncedWaiters.splice(0)) ok();
    }
  }

  private applyRemoteUpdate(seq: number, update: string): void {
    if (seq <= this.seq) return;
    Y.applyUpdate(this.doc, fromBase64(update), this);
    this.ahead.add(seq);
    this.advance();
  }

  private advance(): void {
    while (this.ahead.has(this.seq + 1)) this.ahead.delete(++this.seq);
    for (const s of this.ahead) if (s <= this.seq) this.ahead.delete(s);
    if (this.ahead.size && !this.gapTimer) {
      // A seq below one we saw has not arrived: ask for it if it does not come by itself soon.
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        if (this.ahead.size) this.sendSocket({ type: "sync", since: this.seq });
      }, GAP_RESYNC_MS);
    }
  }

  private applyPresence(entries: PresenceEntry[], tag: string): void {
    this.presence = entries.filter((p) => p.client_id !== this.clientId);
    this.presenceTag = tag;
    const seen = new Set<number>();
    const changed: [number, number, string][] = [];
    for (const p of this.presence) {
      const id = Number(p.client_id);
      if (!Number.isFinite(id)) continue;
      seen.add(id);
      const state = { ...(p.cursor ?? {}), user: { name: p.name, color: p.color }, block_id: p.block_id ?? null };
      const json = JSON.stringify(state);
      const current = this.awareness.getStates().get(id);
      if (current && JSON.stringify(current) === json) {
        // Unchanged: still renew it, or awareness drops it as outdated after 30 s.
        const meta = this.awareness.meta.get(id);
        if (meta) meta.lastUpdated = Date.now();
        continue;
      }
      const clock = (this.remoteClocks.get(id) ?? 0) + 1;
      this.remoteClocks.set(id, clock);
      changed.push([id, clock, json]);
    }
    for (const id of this.awareness.getStates().keys()) {
      if (id === this.doc.clientID || seen.has(id)) continue;
      const clock = (this.remoteClocks.get(id) ?? 0) + 1;
      this.remoteClocks.set(id, clock);
      changed.push([id, clock, "null"]);
    }
    if (changed.length) awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwareness(changed), this);
    this.emit("presence", this.presence);
  }

  // -- local changes --------------------------------------------------------------------------
  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this.readOnly) return;
    const id = newId();
    const encoded = toBase64(update);
    this.unacked.set(id, encoded);
    if (this.fitsSocket(encoded)) {
      this.sendSocket({ type: "update", client_id: this.clientId, update: encoded, id });
    } else {
      void this.flushRest();
    }
  };

  private onAwarenessUpdate = (_: unknown, origin: unknown): void => {
    if (origin !== "local") return;
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      this.sendPresence();
    }, PRESENCE_THROTTLE_MS);
  };

  private presenceBody(): Record<string, unknown> {
    const local = { ...(this.awareness.getLocalState() ?? {}) } as Record<string, unknown>;
    const blockId = typeof local.block_id === "string" ? local.block_id : undefined;
    delete local.block_id;
    return { client_id: this.clientId, cursor: local, ...(blockId ? { block_id: blockId } : {}) };
  }

  private sendPresence(): void {
    if (!this.connected) return;
    if (this.ws?.readyState === WebSocket.OPEN) this.sendSocket({ type: "presence", ...this.presenceBody() });
    else void this.rest("POST", "presence", this.presenceBody()).catch(() => undefined);
  }

  private refused(status: number, message: string): void {
    if (status === 403) this.readOnly = true;
    this.emit("refused", new CollabRefused(status, message));
  }

  // -- websocket ------------------------------------------------------------------------------
  private sendSocket(message: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Whether an update (base64) may go over the open socket; if not, it goes by REST. */
  private fitsSocket(update: string): boolean {
    return this.ws?.readyState === WebSocket.OPEN && update.length <= SOCKET_MESSAGE_MAX;
  }

  private async socketUrl(): Promise<string> {
    const configured = this.socketUrlOption ?? (await runtimeConfig()).collab_ws_url;
    if (configured) return configuredSocketUrl(configured, this.reportId, window.location.href);
    return `${this.base.replace(/^http/, "ws")}/api/reports/${encodeURIComponent(this.reportId)}/collab/ws`;
  }

  private openSocket(): void {
    if (!this.connected) return;
    void this.socketUrl().then(
      (url) => this.openSocketAt(url),
      () => this.socketFailed(false),
    );
  }

  private openSocketAt(url: string): void {
    if (!this.connected || this.ws) return;
    let opened = false;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.socketFailed(false);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.wsFailures = 0;
      this.pollAbort?.abort();
      this.pollAbort = null;
      this.setStatus("websocket");
      ws.send(JSON.stringify({ type: "sync", since: this.seq }));
      for (const [id, update] of this.unacked) {
        if (update.length <= SOCKET_MESSAGE_MAX) ws.send(JSON.stringify({ type: "update", client_id: this.clientId, update, id }));
      }
      void this.flushRest(); // the ones too large for a socket message
      this.sendPresence();
    };
    ws.onmessage = (event) => this.onSocketMessage(JSON.parse(String(event.data)) as Record<string, unknown>);
    ws.onclose = () => {
      if (this.ws === ws) {
        this.ws = null;
        this.socketFailed(opened);
      }
    };
  }

  private socketFailed(wasOpen: boolean): void {
    if (!this.connected) return;
    this.wsFailures += wasOpen ? 0 : 1;
    if (this.transport === "auto") this.startPolling();
    // Try the socket again later: soon after a drop, rarely where it never opens.
    const delay = Math.min(1000 * 2 ** Math.min(this.wsFailures, 5), 30_000);
    this.timers.push(setTimeout(() => this.openSocket(), delay));
  }

  private onSocketMessage(m: Record<string, unknown>): void {
    switch (m.type) {
      case "state":
        this.applyState(m as unknown as CollabState);
        break;
      case "update":
        this.applyRemoteUpdate(Number(m.seq), String(m.update));
        break;
      case "ack":
        this.unacked.delete(String(m.id));
        if (Number(m.seq) > this.seq) this.ahead.add(Number(m.seq));
        this.advance();
        break;
      case "presence":
        this.applyPresence(m.presence as PresenceEntry[], String(m.presence_tag));
        break;
      case "resync":
        this.sendSocket({ type: "sync", since: this.seq });
        break;
      case "pull":
        // Too large for a socket message (API Gateway): the same answer over REST.
        void this.pullOnce();
        break;
      case "error": {
        const status = Number(m.status);
        const err = m.error as { message?: string } | undefined;
        if (status === 403 || status === 422 || status === 413) {
          if (m.id) this.unacked.delete(String(m.id));
          this.refused(status, err?.message ?? "refused");
        }
        break;
      }
    }
  }

  // -- REST: long-poll and POST ---------------------------------------------------------------
  private async rest(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const csrf = csrfToken();
    if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
    const r = await fetch(`${this.base}/api/reports/${encodeURIComponent(this.reportId)}/collab/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
    if (!r.ok) {
      const text = await r.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error: { message: string } }).error.message;
      } catch {
        // not the API's error shape
      }
      throw new CollabRefused(r.status, message);
    }
    return r.status === 204 ? null : await r.json();
  }

  private async pullOnce(): Promise<void> {
    try {
      const q = `updates?since=${this.seq}&wait_s=0`;
      this.applyState((await this.rest("GET", q)) as CollabState);
    } catch (e) {
      if (e instanceof CollabRefused && (e.status === 403 || e.status === 404)) this.refused(e.status, e.message);
    }
  }

  private startPolling(): void {
    if (this.pollAbort || !this.connected) return;
    const abort = new AbortController();
    this.pollAbort = abort;
    if (this.status !== "websocket") this.setStatus("polling");
    void (async () => {
      let pause = 250;
      let first = true;
      while (!abort.signal.aborted) {
        try {
          const wait = first ? 0 : this.pollWaitS;
          const q = `updates?since=${this.seq}&wait_s=${wait}${this.presenceTag ? `&presence=${this.presenceTag}` : ""}`;
          const state = (await this.rest("GET", q, undefined, abort.signal)) as CollabState;
          if (abort.signal.aborted) return;
          this.applyState(state);
          if (first) this.sendPresence();
          first = false;
          pause = 250;
          void this.flushRest();
        } catch (e) {
          if (abort.signal.aborted) return;
          if (e instanceof CollabRefused && (e.status === 403 || e.status === 404)) {
            this.refused(e.status, e.message);
            this.setStatus("offline");
            return;
          }
          await sleep(pause);
          pause = Math.min(pause * 2, 10_000);
        }
      }
    })();
  }

  /** POSTs what is unacknowledged, one request at a time (merged), retrying with backoff. */
  private async flushRest(): Promise<void> {
    if (this.restSending || !this.connected) return;
    this.restSending = true;
    try {
      let pause = 200;
      // With the socket open, only the updates too large for it; without, all of them.
      const pending = () => [...this.unacked.keys()].filter((i) => !this.fitsSocket(this.unacked.get(i)!));
      while (this.connected && pending().length) {
        const ids = pending();
        const merged = ids.length === 1 ? this.unacked.get(ids[0])! : toBase64(Y.mergeUpdates(ids.map((i) => fromBase64(this.unacked.get(i)!))));
        // One id per set of ids: a retry of the same merge is the same id, so it is stored once.
        const id = ids.length === 1 ? ids[0] : `m${ids[0].slice(0, 20)}${ids.length}`;
        try {
          const ack = (await this.rest("POST", "updates", { client_id: this.clientId, update: merged, id })) as { seq: number };
          for (const i of ids) this.unacked.delete(i);
          if (ack.seq > this.seq) this.ahead.add(ack.seq);
          this.advance();
          pause = 200;
        } catch (e) {
          if (e instanceof CollabRefused && [403, 404, 413, 422].includes(e.status)) {
            for (const i of ids) this.unacked.delete(i);
            this.refused(e.status, e.message);
            return;
          }
          await sleep(pause);
          pause = Math.min(pause * 2, 10_000);
        }
      }
    } finally {
      this.restSending = false;
    }
  }
}

/** Fills an empty doc once, the same way on every client: the content is written by a fixed Yjs
 * client id, so two clients that both found the report empty write identical updates, which Yjs
 * merges into one copy instead of two. `fill` must be deterministic (e.g. from the saved spec). */
export function seedDoc(doc: Y.Doc, fill: (seed: Y.Doc) => void): void {
  const seed = new Y.Doc();
  seed.clientID = 1;
  fill(seed);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(seed));
  seed.destroy();
}
