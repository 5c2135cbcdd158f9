import dev.wanllmdb.Run;
import dev.wanllmdb.Settings;
import dev.wanllmdb.Wanllmdb;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The cost of Run.log with 10 scalars against a baseline loop that does the caller's own part
 * (building the same map) in the same JVM.
 *
 * <pre>java -cp build/classes:build/bench Bench URL API_KEY [calls] [hold]</pre>
 *
 * hold: seal no chunk while measuring (the hot path alone, without the uploader's encoding
 * competing for the CPU); the chunks are written and uploaded at finish.
 */
public final class Bench {
  static final String[] KEYS = {"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"};
  static long sink;

  static Map<String, Object> values(int step) {
    Map<String, Object> m = new HashMap<>(16);
    for (int i = 0; i < KEYS.length; i++) m.put(KEYS[i], (double) step + i);
    return m;
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
    boolean hold = args.length > 3 && Boolean.parseBoolean(args[3]);
    Settings s = new Settings();
    s.baseUrl = args[0];
    s.apiKey = args[1];
    s.project = "bench";
    s.dir = Files.createTempDirectory("wanllmdb-bench-").toString();
    s.finishTimeout = Duration.ofMinutes(5);
    s.warn = message -> {};
    if (hold) {
      s.flushInterval = Duration.ofHours(1);
      s.chunkRows = Integer.MAX_VALUE;
    }
    Run run = Wanllmdb.init(s);
    for (int round = 0; round < 5; round++) { // the last round is reported; the first ones warm the JIT up
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) sink += values(i).size();
      long base = System.nanoTime() - start;
      start = System.nanoTime();
      for (int i = 0; i < n; i++) run.log(values(i));
      long logged = System.nanoTime() - start;
      if (round == 4) {
        System.out.printf("java (hold=%s): baseline (build the 10-scalar map) %.3f us/call; with log() %.3f us/call;"
            + " log() itself %.3f us%n", hold, base / 1e3 / n, logged / 1e3 / n, (logged - base) / 1e3 / n);
      }
    }
    run.finish(0);
  }
}
