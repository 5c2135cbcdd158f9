package dev.wanllmdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run being logged; its methods are safe to call from several threads.
 *
 * <p>log() only appends to an in-memory buffer. A daemon thread writes the buffer out every
 * flushInterval as a gzip JSON-lines chunk into the run's spool folder, and uploads the spool
 * through presigned grants, retrying with backoff while the server is down. Network trouble never
 * reaches log(): the rows wait in the spool, and {@link Wanllmdb#sync} uploads them later.
 */
public final class Run implements AutoCloseable {
  public static final int MAX_KEY_LENGTH = 256;
  // init only creates new runs (resume "never"), so every chunk is of attempt 0.
  private static final int ATTEMPT = 0;

  public final String id;
  private final Settings s;
  private final Spool spool;
  private final Uploader up;

  // Guarded by this: the buffer, the step counter and the key names.
  private Chunk buf = new Chunk();
  private long step;
  private final Map<String, Integer> keyIds = new HashMap<>();
  private final List<String> names = new ArrayList<>();
  private boolean closed;
  private int opSeq;

  private final Object sealLock = new Object(); // one chunk written at a time; guards seq
  private int seq;
  private final Object signal = new Object(); // wakes the uploader thread
  private boolean wake;
  private volatile boolean stopping;
  private volatile long deadlineNanos = Long.MAX_VALUE;
  private volatile Exception lastError;
  private final Thread thread;
  private NotSyncedException finished;
  private boolean finishedOk;

  private Run(Settings s, Spool spool, Uploader up) {
    this.id = s.runId;
    this.s = s;
    this.spool = spool;
    this.up = up;
    this.thread = new Thread(this::loop, "wanllmdb-uploader-" + id);
    this.thread.setDaemon(true);
  }

  /**
   * Starts a run. Throws only for bad settings (InvalidValueException naming the field), an
   * unwritable spool folder, or a server that refuses the run (ApiException: a bad API key, a project
   * the key may not write). An unreachable server is not an error: the run logs into its spool and
   * uploads once the server answers.
   */
  static Run init(Settings settings) {
    Settings s = settings.resolved();
    if (s.config != null) Json.write(s.config, "config"); // refuses NaN and unknown types, naming the key
    Spool spool = Spool.open(Path.of(s.dir, "wanllmdb-java", "run-" + s.runId));
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("base_url", s.baseUrl);
    info.put("project", s.project);
    info.put("entity", s.entity);
    info.put("run_id", s.runId);
    info.put("name", s.name);
    info.put("config", s.config);
    info.put("tags", s.tags);
    info.put("resume_token", Ids.random(16));
    info.put("project_id", null);
    info.put("created", false);
    spool.saveInfo(info);
    Http http = new Http(s.baseUrl, s.apiKey, s.initTimeout.compareTo(s.requestTimeout) < 0 ? s.initTimeout : s.requestTimeout);
    Uploader probe = new Uploader(http, spool, info, s.warn);
    try {
      probe.ensureRun();
    } catch (ApiException e) {
      try {
        spool.removeAll();
      } catch (IOException ignored) {
        // the refusal is the news; a leftover empty folder is not
      }
      throw e;
    } catch (Http.Transient e) {
      s.warn.accept("wanllmdb: " + s.baseUrl + " is unreachable (" + e.getMessage() + "); logging offline into "
          + spool.dir + " and uploading when it answers");
    }
    Run run = new Run(s, spool, new Uploader(new Http(s.baseUrl, s.apiKey, s.requestTimeout), spool, info, s.warn));
    run.thread.start();
    return run;
  }

  /** The run's spool folder. */
  public Path dir() {
    return spool.dir;
  }

  /**
   * Records one step: every value a Number (NaN and infinities too) or a String. Throws
   * InvalidValueException naming a bad key or value, and then records nothing of the call.
   *
   * <p>Budget: one lock, one hash lookup and five array stores per value; no I/O, no object per
   * value (bench/Bench.java measures it).
   */
  public void log(Map<String, ?> values) {
    log(-1, values);
  }

  /** Records values at an explicit step; the run's next step becomes step + 1 if that is later. */
  public void logAt(long step, Map<String, ?> values) {
    if (step < 0) throw new InvalidValueException("step", "logAt(step=" + step + "): step must be >= 0");
    log(step, values);
  }

  private static void check(String key, Object value) {
    if (key == null || key.isEmpty()) {
      throw new InvalidValueException(String.valueOf(key), "log: empty key; give every metric a name");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new InvalidValueException(key, "log: key \"" + key.substring(0, 40) + "...\" is " + key.length()
          + " characters; the limit is " + MAX_KEY_LENGTH);
    }
    if (!(value instanceof Number) && !(value instanceof String)) {
      String what = value == null ? "null" : "a " + value.getClass().getSimpleName();
      throw new InvalidValueException(key, "log: \"" + key + "\" is " + what + "; log a Number or a String");
    }
  }

  private void log(long at, Map<String, ?> values) {
    long now = System.currentTimeMillis();
    for (Map.Entry<String, ?> e : values.entrySet()) check(e.getKey(), e.getValue()); // nothing half-logged
    boolean full;
    synchronized (this) {
      if (closed) throw new InvalidValueException("run", "log: the run has finished; start another with init");
      long at2 = at < 0 ? step : at;
      if (at2 >= step) step = at2 + 1;
      for (Map.Entry<String, ?> e : values.entrySet()) {
        Integer key = keyIds.get(e.getKey());
        if (key == null) {
          key = names.size();
          keyIds.put(e.getKey(), key);
          names.add(e.getKey());
        }
        Object v = e.getValue();
        if (v instanceof String text) buf.add(at2, now, key, 0, text);
        else buf.add(at2, now, key, ((Number) v).doubleValue(), null);
      }
      full = buf.size >= s.chunkRows;
    }
    if (full) poke();
  }

  private void poke() {
    synchronized (signal) {
      wake = true;
      signal.notifyAll();
    }
  }

  /** Sets summary values (shown in the runs table); logged keys also set it to their last value. */
  public void summary(Map<String, ?> values) {
    checkKeys("summary", values);
    Json.write(values, "summary");
    spoolOp("summary", "PATCH", "/runs/{run}/summary", Map.of("summary", values));
  }

  /** Merges values into the run's config (a changed value replaces the old one). */
  public void config(Map<String, ?> values) {
    checkKeys("config", values);
    Json.write(values, "config");
    spoolOp("config", "PATCH", "/runs/{run}/config", Map.of("config", values, "allow_val_change", true));
  }

  private static void checkKeys(String call, Map<String, ?> values) {
    for (String k : values.keySet()) {
      if (k == null || k.isEmpty()) throw new InvalidValueException(String.valueOf(k), call + ": empty key");
    }
  }

  private synchronized void spoolOp(String kind, String method, String path, Map<String, ?> body) {
    if (closed) throw new InvalidValueException("run", kind + ": the run has finished");
    opSeq++;
    try {
      spool.writeOp(String.format("%09d-%s.json", opSeq, kind), method, path, body);
    } catch (IOException e) {
      s.warn.accept("wanllmdb: " + kind + " not spooled: " + e);
    }
  }

  /** Writes the buffered rows out as one chunk, and their keys' last values as a summary call. */
  private void seal() {
    synchronized (sealLock) {
      Chunk rows;
      List<String> keyNames;
      String opName;
      synchronized (this) {
        rows = buf;
        if (rows.size == 0) return;
        buf = new Chunk();
        keyNames = List.copyOf(names);
        opName = String.format("%09d-summary.json", ++opSeq);
      }
      try {
        // A buffer that outgrew a chunk (a long flushInterval, a slow disk) is written as several.
        for (int from = 0; from < rows.size; from += s.chunkRows) {
          int to = Math.min(rows.size, from + s.chunkRows);
          spool.write("chunks", Spool.chunkName("history", ATTEMPT, seq), rows.encode(keyNames, ATTEMPT, from, to));
          seq++;
        }
        Map<String, Object> latest = new LinkedHashMap<>();
        for (int i = 0; i < rows.size; i++) {
          double v = rows.values[i];
          if (rows.texts[i] >= 0) latest.put(keyNames.get(rows.keys[i]), rows.textValues.get(rows.texts[i]));
          else if (!Double.isNaN(v) && !Double.isInfinite(v)) latest.put(keyNames.get(rows.keys[i]), v);
        }
        spool.writeOp(opName, "PATCH", "/runs/{run}/summary", Map.of("summary", latest));
      } catch (IOException e) {
        s.warn.accept("wanllmdb: " + rows.size + " rows not spooled: " + e);
      }
    }
  }

  /**
   * Seals chunks every flushInterval (or when a chunk fills) and uploads the spool; after a failure
   * it waits a backoff before the next try, while rows keep collecting in the spool.
   */
  private void loop() {
    int tries = 0;
    long retryAt = 0;
    long beatAt = System.nanoTime();
    while (true) {
      boolean stop;
      synchronized (signal) {
        if (!wake && !stopping) {
          try {
            signal.wait(Math.max(1, s.flushInterval.toMillis()));
          } catch (InterruptedException e) {
            return;
          }
        }
        wake = false;
        stop = stopping;
      }
      seal();
      while (stop || System.nanoTime() >= retryAt) {
        try {
          up.pass();
          tries = 0;
          retryAt = 0;
          break;
        } catch (ApiException | IOException e) {
          lastError = e;
          long wait = Wanllmdb.backoffNanos(++tries, s.maxBackoff.toNanos(), e);
          if (tries == 1) { // once per outage, not once per retry
            s.warn.accept("wanllmdb: upload failed (" + e.getMessage() + "); retrying with backoff, rows wait in " + spool.dir);
          }
          retryAt = System.nanoTime() + wait;
          if (!stop) break;
          if (retryAt > deadlineNanos) return;
          Wanllmdb.sleep(wait);
        }
      }
      if (stop) return;
      if (System.nanoTime() - beatAt > 30_000_000_000L && retryAt == 0) {
        beatAt = System.nanoTime();
        try {
          up.heartbeat();
        } catch (Http.Transient | ApiException e) {
          // the next upload says whether the server is gone
        }
      }
    }
  }

  /**
   * Seals the last rows, marks the run finished (exitCode 0) or failed, and waits up to
   * finishTimeout for the uploads; the spool folder is removed when everything is in. Throws
   * NotSyncedException, naming the folder where the rows wait, when the server could not take them
   * in time. A second call gives the first one's answer.
   */
  public void finish(int exitCode) throws NotSyncedException {
    synchronized (this) {
      if (closed) {
        joinQuietly();
        if (finished != null) throw finished;
        return;
      }
      closed = true;
    }
    seal();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("state", exitCode == 0 ? "finished" : "failed");
    body.put("exit_code", exitCode);
    try {
      spool.writeOp("999999999-finish.json", "PATCH", "/runs/{run}", body);
    } catch (IOException e) {
      s.warn.accept("wanllmdb: finish not spooled: " + e);
    }
    deadlineNanos = System.nanoTime() + s.finishTimeout.toNanos();
    stopping = true;
    poke();
    try {
      thread.join(Math.max(1, s.finishTimeout.toMillis() + 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (!thread.isAlive() && spool.list("chunks").isEmpty() && spool.list("ops").isEmpty()) {
        try {
          spool.removeAll();
        } catch (IOException e) {
          s.warn.accept("wanllmdb: spool folder not removed: " + e);
        }
        finishedOk = true;
        return;
      }
      Exception cause = lastError != null ? lastError : new IOException("finish timed out");
      finished = new NotSyncedException(spool.dir, cause);
      throw finished;
    }
  }

  private void joinQuietly() {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** finish(0) unless finish was called; a NotSyncedException is reported as a warning. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
    }
    try {
      finish(0);
    } catch (NotSyncedException e) {
      s.warn.accept(e.getMessage());
    }
  }

  // For tests in this package: seal and upload by hand.
  void sealForTest() {
    seal();
  }

  void passForTest() throws Exception {
    up.pass();
  }

  Spool spoolForTest() {
    return spool;
  }

  String projectIdForTest() {
    return up.projectId();
  }

  synchronized int bufferedRowsForTest() {
    return buf.size;
  }

  boolean finishedOk() {
    return finishedOk;
  }
}
