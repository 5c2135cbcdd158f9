package dev.wanllmdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run's spool folder (docs/ingest-protocol.md "Spool"), the same layout as the Go SDK's:
 *
 * <pre>
 * &lt;dir&gt;/wanllmdb-java/run-&lt;id&gt;/
 *   run.json                                 who the run is: project, id, name, config, resume token
 *   chunks/history-a0000-000000003.jsonl.gz  sealed chunks, deleted once uploaded
 *   ops/000000001-summary.json               metadata calls (config, summary, finish), in order
 * </pre>
 *
 * Files are written under a temporary name and renamed, so a crash never leaves half a chunk that
 * looks whole; a chunk is deleted only after its PUT succeeded, so a crash between the two re-sends
 * it to the same key (never a duplicate).
 */
final class Spool {
  private static final Pattern CHUNK = Pattern.compile("^(\\w+)-a(\\d{4})-(\\d{9})\\.jsonl\\.gz$");
  final Path dir;

  Spool(Path dir) {
    this.dir = dir;
  }

  static Spool open(Path dir) {
    try {
      Files.createDirectories(dir.resolve("chunks"));
      Files.createDirectories(dir.resolve("ops"));
    } catch (IOException e) {
      throw new InvalidValueException("dir", "spool folder " + dir + ": " + e + "; set Settings.dir to a writable folder");
    }
    return new Spool(dir);
  }

  static String chunkName(String stream, int attempt, int seq) {
    return String.format("%s-a%04d-%09d.jsonl.gz", stream, attempt, seq);
  }

  /** (stream, attempt, seq) of a chunk's file name, or null. */
  static Object[] parseChunkName(String name) {
    Matcher m = CHUNK.matcher(name);
    return m.matches() ? new Object[] {m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))} : null;
  }

  void write(String sub, String name, byte[] data) throws IOException {
    Path target = dir.resolve(sub).resolve(name);
    Path tmp = target.resolveSibling(".tmp-" + name);
    Files.write(tmp, data);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  void writeOp(String name, String method, String path, Map<String, ?> body) throws IOException {
    String json = Json.write(Map.of("method", method, "path", path, "body", body), "");
    write("ops", name, json.getBytes(StandardCharsets.UTF_8));
  }

  void saveInfo(Map<String, Object> info) {
    try {
      write("", "run.json", Json.write(info, "").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> loadInfo() throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(dir.resolve("run.json")));
  }

  /** The finished files of a sub-folder, in name order (chunks by stream, attempt, seq). */
  List<String> list(String sub) {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve(sub))) {
      files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().forEach(names::add);
    } catch (IOException e) {
      return names;
    }
    return names;
  }

  Path path(String sub, String name) {
    return dir.resolve(sub).resolve(name);
  }

  void removeAll() throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.deleteIfExists(p);
    }
  }
}
