package dev.wanllmdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The rows logged since the last chunk, in primitive columns (no object per value, nothing for the
 * garbage collector to trace), and their encoding as one gzip JSON-lines chunk
 * (schemas/jsonl_chunk.schema.json).
 */
final class Chunk {
  long[] steps = new long[1024];
  long[] ts = new long[1024];
  double[] values = new double[1024];
  int[] keys = new int[1024]; // index into the run's key names
  int[] texts = new int[1024]; // index into textValues, or -1 for a number
  final List<String> textValues = new ArrayList<>();
  int size;

  void add(long step, long time, int key, double value, String text) {
    if (size == steps.length) grow();
    steps[size] = step;
    ts[size] = time;
    keys[size] = key;
    values[size] = value;
    if (text != null) {
      texts[size] = textValues.size();
      textValues.add(text);
    } else {
      texts[size] = -1;
    }
    size++;
  }

  private void grow() {
    int n = steps.length * 2;
    steps = java.util.Arrays.copyOf(steps, n);
    ts = java.util.Arrays.copyOf(ts, n);
    values = java.util.Arrays.copyOf(values, n);
    keys = java.util.Arrays.copyOf(keys, n);
    texts = java.util.Arrays.copyOf(texts, n);
  }

  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /** Rows from..to-1 as one chunk. */
  byte[] encode(List<String> names, int attempt, int from, int to) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] quoted = new String[names.size()];
    try (GZIPOutputStream gz = new FastGzip(bytes)) {
      StringBuilder line = new StringBuilder(256);
      for (int i = from; i < to; i++) {
        int k = keys[i];
        if (quoted[k] == null) {
          StringBuilder q = new StringBuilder();
          Json.quote(q, names.get(k));
          quoted[k] = q.toString();
        }
        line.setLength(0);
        line.append("{\"step\":").append(steps[i]).append(",\"ts\":").append(ts[i]).append(",\"key\":")
            .append(quoted[k]).append(",\"attempt\":").append(attempt);
        if (texts[i] >= 0) {
          line.append(",\"value\":null,\"text\":");
          Json.quote(line, textValues.get(texts[i]));
        } else {
          double v = values[i];
          line.append(",\"value\":");
          if (Double.isNaN(v)) line.append("\"NaN\"");
          else if (v == Double.POSITIVE_INFINITY) line.append("\"Infinity\"");
          else if (v == Double.NEGATIVE_INFINITY) line.append("\"-Infinity\"");
          else line.append(v); // Double.toString: 1.0, 1.0E10, both JSON numbers
        }
        line.append("}\n");
        gz.write(line.toString().getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toByteArray();
  }
}
