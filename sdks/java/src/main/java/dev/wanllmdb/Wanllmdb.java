package dev.wanllmdb;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Logs metrics from JVM programs into a wanLLMDB server through the protocol in
 * docs/ingest-protocol.md, using the JDK alone.
 *
 * <pre>{@code
 * Settings s = new Settings();
 * s.project = "mnist";
 * s.config = Map.of("lr", 0.01);
 * try (Run run = Wanllmdb.init(s)) {             // InvalidValueException, ApiException: bad settings or key
 *   run.log(Map.of("loss", 0.5, "acc", 0.8));   // InvalidValueException names a bad key or value
 *   run.summary(Map.of("best_acc", 0.9));
 *   run.finish(0);                              // NotSyncedException: rows wait in the spool for sync()
 * }
 * }</pre>
 */
public final class Wanllmdb {
  public static final String VERSION = "0.1.0";

  private Wanllmdb() {}

  /** Starts a run; see {@link Run#init(Settings)}. */
  public static Run init(Settings settings) {
    return Run.init(settings);
  }

  /**
   * Uploads what a run left in its spool folder ({@code dir}, as a NotSyncedException names it) with
   * settings' API key and, when set, base URL, retrying until settings' finishTimeout. The folder is
   * removed once everything is in.
   */
  public static void sync(Path dir, Settings settings) throws NotSyncedException, IOException {
    Spool spool = new Spool(dir);
    Map<String, Object> info = spool.loadInfo();
    Settings copy = new Settings();
    copy.apiKey = settings.apiKey;
    copy.baseUrl = settings.baseUrl != null || System.getenv("WANLLMDB_BASE_URL") != null
        ? settings.baseUrl : (String) info.get("base_url");
    copy.project = (String) info.get("project");
    copy.runId = (String) info.get("run_id");
    copy.finishTimeout = settings.finishTimeout;
    copy.maxBackoff = settings.maxBackoff;
    copy.warn = settings.warn;
    Settings s = copy.resolved();
    Uploader up = new Uploader(new Http(s.baseUrl, s.apiKey, s.requestTimeout), spool, info, s.warn);
    long deadline = System.nanoTime() + s.finishTimeout.toNanos();
    int tries = 0;
    while (true) {
      try {
        up.pass();
        spool.removeAll();
        return;
      } catch (ApiException e) {
        throw new NotSyncedException(dir, e); // refused for good: retrying cannot help
      } catch (Http.Transient e) {
        long wait = backoffNanos(++tries, s.maxBackoff.toNanos(), e);
        if (System.nanoTime() + wait > deadline) throw new NotSyncedException(dir, e);
        sleep(wait);
      }
    }
  }

  /** Full-jitter exponential backoff: clients that lost the server at once do not return in lockstep. */
  static long backoffNanos(int tries, long maxNanos, Exception cause) {
    long ceiling = Math.min(maxNanos, 250_000_000L << Math.min(tries, 16));
    long wait = ThreadLocalRandom.current().nextLong(ceiling + 1);
    if (cause instanceof Http.Transient t && t.retryAfter != null) {
      wait = Math.max(wait, Math.min(t.retryAfter.toNanos(), maxNanos));
    }
    return wait;
  }

  static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
