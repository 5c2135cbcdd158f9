import dev.wanllmdb.Run;
import dev.wanllmdb.Settings;
import dev.wanllmdb.Wanllmdb;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The cost of Run.log with 10 scalars against a baseline loop that does the caller's own part
 * (building the same map) in the same JVM, in CPU time of the measuring thread (other processes on a
 * busy machine do not count) and in wall time.
 *
 * <pre>java -cp build/classes:build/bench Bench URL API_KEY [calls per round] [hold]</pre>
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
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    int rounds = 15;
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
    // Rounds alternate the two loops (the first ones warm the JIT up); the fastest round of each is
    // reported.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[] base = {Long.MAX_VALUE, Long.MAX_VALUE}; // {cpu, wall}
    long[] logged = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (int round = 0; round < rounds; round++) {
      long cpu = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) sink += values(i).size();
      base[0] = Math.min(base[0], threads.getCurrentThreadCpuTime() - cpu);
      base[1] = Math.min(base[1], System.nanoTime() - start);
      cpu = threads.getCurrentThreadCpuTime();
      start = System.nanoTime();
      for (int i = 0; i < n; i++) run.log(values(i));
      logged[0] = Math.min(logged[0], threads.getCurrentThreadCpuTime() - cpu);
      logged[1] = Math.min(logged[1], System.nanoTime() - start);
    }
    double us = 1e3 * n;
    System.out.printf("java (hold=%s) us per call, cpu [wall]: baseline (build the 10-scalar map) %.3f [%.3f]; "
        + "with log() %.3f [%.3f]; log() itself %.3f [%.3f]%n", hold, base[0] / us, base[1] / us,
        logged[0] / us, logged[1] / us, (logged[0] - base[0]) / us, (logged[1] - base[1]) / us);
    run.finish(0);
  }
}
