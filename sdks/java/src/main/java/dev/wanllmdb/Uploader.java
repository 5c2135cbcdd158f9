package dev.wanllmdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Empties a run's spool into the server: the run first, then chunks, then metadata calls. One thread at a time. */
final class Uploader {
  private static final int GRANT_BATCH = 100; // items per grant request (docs/api-contract.md)
  final Http http;
  final Spool spool;
  final Map<String, Object> info;
  private final Consumer<String> warn;

  Uploader(Http http, Spool spool, Map<String, Object> info, Consumer<String> warn) {
    this.http = http;
    this.spool = spool;
    this.info = info;
    this.warn = warn;
  }

  String runId() {
    return (String) info.get("run_id");
  }

  String projectId() {
    return (String) info.get("project_id");
  }

  /**
   * Creates the project (if need be) and the run, once; a retry of a create that did land sends
   * the same resume_token, so the server answers with the run as it left it.
   */
  @SuppressWarnings("unchecked")
  void ensureRun() throws Http.Transient {
    if (projectId() == null) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", info.get("project"));
      if (info.get("entity") != null && !((String) info.get("entity")).isEmpty()) body.put("entity", info.get("entity"));
      Map<String, Object> project = (Map<String, Object>) http.call("POST", "/projects", null, body);
      info.put("project_id", project.get("id"));
      spool.saveInfo(info);
    }
    if (Boolean.TRUE.equals(info.get("created"))) return;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", runId());
    body.put("resume_token", info.get("resume_token"));
    for (String field : new String[] {"name", "config", "tags"}) {
      if (info.get(field) != null) body.put(field, info.get(field));
    }
    http.call("POST", "/projects/" + Http.enc(projectId()) + "/runs", null, body);
    info.put("created", true);
    spool.saveInfo(info);
  }

  /** Uploads everything in the spool. Metadata calls wait until every chunk is in, so finish comes last. */
  void pass() throws Http.Transient, IOException {
    ensureRun();
    for (List<String> chunks = spool.list("chunks"); !chunks.isEmpty(); chunks = spool.list("chunks")) {
      uploadChunks(chunks.subList(0, Math.min(chunks.size(), GRANT_BATCH)));
    }
    for (String name : spool.list("ops")) sendOp(name);
  }

  @SuppressWarnings("unchecked")
  private void uploadChunks(List<String> names) throws Http.Transient, IOException {
    List<Map<String, Object>> items = new ArrayList<>();
    List<byte[]> blobs = new ArrayList<>();
    for (String name : names) {
      Object[] parsed = Spool.parseChunkName(name);
      if (parsed == null) {
        warn.accept("wanllmdb: " + name + " is not a chunk; moved aside");
        Files.move(spool.path("chunks", name), spool.dir.resolve("bad-" + name));
        return;
      }
      byte[] data = Files.readAllBytes(spool.path("chunks", name));
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("kind", parsed[0]);
      item.put("size", data.length);
      item.put("sha256", sha256(data));
      item.put("seq", parsed[2]);
      item.put("attempt", parsed[1]);
      item.put("format", "jsonl");
      items.add(item);
      blobs.add(data);
    }
    Map<String, Object> answer =
        (Map<String, Object>) http.call("POST", "/runs/" + Http.enc(runId()) + "/uploads", projectId(), Map.of("items", items));
    List<Object> grants = (List<Object>) answer.get("grants");
    for (int i = 0; i < names.size(); i++) {
      http.put((Map<String, Object>) grants.get(i), blobs.get(i));
      // Only now may the chunk go: a crash before this line re-sends it to the same key.
      Files.delete(spool.path("chunks", names.get(i)));
    }
  }

  @SuppressWarnings("unchecked")
  private void sendOp(String name) throws Http.Transient, IOException {
    Map<String, Object> op;
    try {
      op = (Map<String, Object>) Json.parse(Files.readString(spool.path("ops", name), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      warn.accept("wanllmdb: dropping unreadable spooled call " + name + ": " + e);
      Files.delete(spool.path("ops", name));
      return;
    }
    String path = ((String) op.get("path")).replace("{run}", Http.enc(runId()));
    try {
      http.call((String) op.get("method"), path, projectId(), (Map<String, Object>) op.get("body"));
    } catch (ApiException e) {
      // Refused for good (a run already finished, a change the server forbids): retrying cannot
      // help, and it must not hold back the calls after it.
      warn.accept("wanllmdb: " + op.get("method") + " " + path + " refused: " + e.getMessage());
    }
    Files.delete(spool.path("ops", name));
  }

  void heartbeat() throws Http.Transient {
    http.call("POST", "/runs/" + Http.enc(runId()) + "/heartbeat", projectId(), null);
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
