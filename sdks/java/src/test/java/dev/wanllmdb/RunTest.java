package dev.wanllmdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against a real local server (`wanllmdb server` from the repository's .venv, or
 * $WANLLMDB_SERVER_BIN) on a free port with a fresh data dir; rows are counted through the HTTP API.
 */
class RunTest {
  static Process server;
  static Path data;
  static String url;
  static String apiKey;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @BeforeAll
  static void startServer() throws Exception {
    String bin = System.getenv("WANLLMDB_SERVER_BIN");
    if (bin == null) bin = Path.of("../../.venv/bin/wanllmdb").toAbsolutePath().normalize().toString();
    data = Files.createTempDirectory("wanllmdb-java-test-");
    int port = freePort();
    server = new ProcessBuilder(bin, "server", "--port", String.valueOf(port), "--data-dir", data.resolve("data").toString())
        .redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
    url = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/health")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) break;
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline || !server.isAlive()) {
        throw new IllegalStateException("server did not start:\n" + Files.readString(data.resolve("server.log")));
      }
      Thread.sleep(200);
    }
    apiKey = Files.readString(data.resolve("data").resolve("admin-api-key")).trim();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.destroy();
    if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
    try (var walk = Files.walk(data)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
  }

  Settings settings() {
    Settings s = new Settings();
    s.baseUrl = url;
    s.apiKey = apiKey;
    s.project = "java-sdk";
    s.dir = tmp.toString();
    s.flushInterval = Duration.ofMillis(100);
    s.maxBackoff = Duration.ofMillis(200);
    s.warn = message -> System.out.println("  [warn] " + message);
    return s;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> get(String path) throws Exception {
    HttpResponse<String> resp = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api" + path))
        .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, resp.statusCode(), path + ": " + resp.body());
    return (Map<String, Object>) Json.parse(resp.body());
  }

  /** Every row of a run through the HTTP API, page by page. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> history(String projectId, String runId) throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    String cursor = null;
    do {
      Map<String, Object> page = get("/runs/" + runId + "/history?page_size=100&project_id=" + projectId
          + (cursor != null ? "&cursor=" + cursor : ""));
      assertEquals(List.of(), page.get("warnings"));
      rows.addAll((List<Map<String, Object>>) page.get("rows"));
      cursor = page.get("next_cursor") == null ? null : String.valueOf(page.get("next_cursor"));
    } while (cursor != null);
    return rows;
  }

  static Map<String, Object> tenScalars(int step) {
    Map<String, Object> values = new HashMap<>();
    for (int k = 0; k < 10; k++) values.put("m" + k, step + k / 10.0);
    return values;
  }

  static int values(List<Map<String, Object>> rows) {
    return rows.stream().mapToInt(r -> r.size() - 2).sum(); // less _step and _timestamp
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyLoggedRowLandsOnceWithConfigAndSummary() throws Exception {
    Settings s = settings();
    s.config = Map.of("lr", 0.01, "model", Map.of("layers", 4));
    s.chunkRows = 700; // several chunks, some sealed early
    Run run = Wanllmdb.init(s);
    for (int step = 0; step < 300; step++) run.log(tenScalars(step));
    run.log(Map.of("phase", "eval", "nan", Double.NaN, "count", 7));
    run.summary(Map.of("best", 0.5));
    run.config(Map.of("batch", 32));
    run.finish(0);
    assertFalse(Files.exists(run.dir()), "the spool folder goes once everything is in");
    String projectId = run.projectIdForTest();
    List<Map<String, Object>> rows = history(projectId, run.id);
    assertEquals(301, rows.size());
    assertEquals(3003, values(rows));
    assertEquals(42.3, rows.get(42).get("m3"));
    assertEquals("eval", rows.get(300).get("phase"));
    assertEquals("NaN", rows.get(300).get("nan"));
    assertEquals(7.0, ((Number) rows.get(300).get("count")).doubleValue());
    Map<String, Object> got = get("/runs/" + run.id + "?project_id=" + projectId);
    assertEquals("finished", got.get("state"));
    Map<String, Object> config = (Map<String, Object>) got.get("config");
    assertEquals(0.01, config.get("lr"));
    assertEquals(32L, config.get("batch"));
    Map<String, Object> summary = (Map<String, Object>) got.get("summary");
    assertEquals(0.5, summary.get("best"));
    assertEquals(299.9, summary.get("m9"));
    assertEquals("eval", summary.get("phase"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void serverDownSpoolsThenSyncUploadsEveryRowOnce() throws Exception {
    Settings s = settings();
    s.baseUrl = "http://127.0.0.1:" + freePort(); // nothing listens there
    s.initTimeout = Duration.ofMillis(300);
    s.finishTimeout = Duration.ofMillis(700);
    Run run = Wanllmdb.init(s);
    for (int step = 0; step < 50; step++) {
      run.log(tenScalars(step)); // never throws for the network
      if (step == 20) Thread.sleep(250); // a chunk is sealed meanwhile: the data spans several
    }
    NotSyncedException err = assertThrows(NotSyncedException.class, () -> run.finish(0));
    assertEquals(run.dir(), err.dir());
    assertTrue(run.spoolForTest().list("chunks").size() >= 2, "rows spooled in several chunks");
    Settings later = new Settings();
    later.baseUrl = url;
    later.apiKey = apiKey;
    Wanllmdb.sync(err.dir(), later);
    assertFalse(Files.exists(err.dir()));
    String projectId = null;
    for (Object p : (List<Object>) get("/projects").get("items")) {
      Map<String, Object> project = (Map<String, Object>) p;
      if ("java-sdk".equals(project.get("name"))) projectId = (String) project.get("id");
    }
    List<Map<String, Object>> rows = history(projectId, run.id);
    assertEquals(50, rows.size());
    assertEquals(500, values(rows));
    assertEquals("finished", get("/runs/" + run.id + "?project_id=" + projectId).get("state"));
  }

  @Test
  void aResentChunkIsNotADuplicate() throws Exception {
    Settings s = settings();
    s.flushInterval = Duration.ofHours(1); // the test seals and uploads by hand
    Run run = Wanllmdb.init(s);
    for (int step = 0; step < 20; step++) run.log(tenScalars(step));
    run.sealForTest();
    String name = run.spoolForTest().list("chunks").get(0);
    byte[] chunk = Files.readAllBytes(run.spoolForTest().path("chunks", name));
    run.passForTest();
    // A crash after the PUT but before the chunk left the spool: the next pass sends it again.
    run.spoolForTest().write("chunks", name, chunk);
    run.passForTest();
    run.finish(0);
    List<Map<String, Object>> rows = history(run.projectIdForTest(), run.id);
    assertEquals(20, rows.size());
    assertEquals(200, values(rows));
  }

  @Test
  void noChunkHoldsMoreThanChunkRows() throws Exception {
    Settings s = settings();
    s.baseUrl = "http://127.0.0.1:" + freePort(); // offline: chunks stay in the spool
    s.initTimeout = Duration.ofMillis(100);
    s.flushInterval = Duration.ofHours(1);
    s.chunkRows = 70;
    Run run = Wanllmdb.init(s);
    Map<String, Object> wide = new HashMap<>();
    for (int k = 0; k < 200; k++) wide.put(String.format("w%03d", k), (double) k);
    run.log(wide); // 200 rows in one buffer, whichever seal takes them
    run.sealForTest();
    List<String> names = run.spoolForTest().list("chunks");
    int rows = 0;
    for (int i = 0; i < names.size(); i++) {
      assertEquals(Spool.chunkName("history", 0, i), names.get(i), "seqs run 0, 1, 2, ...");
      try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(run.spoolForTest().path("chunks", names.get(i))))) {
        int n = (int) new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
        assertTrue(n <= 70, names.get(i) + " holds " + n + " rows, over chunkRows");
        rows += n;
      }
    }
    assertEquals(200, rows);
  }

  @Test
  void badKeysAndValuesAreRefusedNamingThem() throws Exception {
    Run run = Wanllmdb.init(settings());
    Map<String, Object> withList = new HashMap<>(Map.of("ok", 1.0, "list", List.of(1)));
    Map<String, Object> withNull = new HashMap<>();
    withNull.put("nil", null);
    String longKey = "k".repeat(300);
    Object[][] cases = {{Map.of("", 1.0), ""}, {withList, "list"}, {withNull, "nil"}, {Map.of(longKey, 1), longKey},
        {Map.of("flag", true), "flag"}};
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Map<String, Object> values = (Map<String, Object>) c[0];
      InvalidValueException e = assertThrows(InvalidValueException.class, () -> run.log(values));
      assertEquals(c[1], e.key());
    }
    assertEquals(0, run.bufferedRowsForTest(), "a refused call records nothing");
    assertEquals("summary.loss",
        assertThrows(InvalidValueException.class, () -> run.summary(Map.of("loss", Double.NaN))).key());
    assertEquals("step", assertThrows(InvalidValueException.class, () -> run.logAt(-1, tenScalars(0))).key());
    run.finish(1);
    assertEquals("run", assertThrows(InvalidValueException.class, () -> run.log(tenScalars(0))).key());
    Settings badProject = settings();
    badProject.project = "no spaces";
    assertEquals("project", assertThrows(InvalidValueException.class, () -> Wanllmdb.init(badProject)).key());
    Settings badKey = settings();
    badKey.apiKey = "wl_not_a_key";
    assertEquals(401, assertThrows(ApiException.class, () -> Wanllmdb.init(badKey)).status);
  }
}
