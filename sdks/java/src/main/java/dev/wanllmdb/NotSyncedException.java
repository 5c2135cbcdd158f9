package dev.wanllmdb;

import java.nio.file.Path;

/**
 * finish() or sync() ran out of time (or the server refused the run) before every row was uploaded.
 * Nothing is lost: the rows wait in {@link #dir()} for {@link Wanllmdb#sync(Path, Settings)}.
 */
public class NotSyncedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Path dir;

  public NotSyncedException(Path dir, Throwable cause) {
    super("wanllmdb: rows wait in " + dir + "; upload them with Wanllmdb.sync(dir, settings) (last error: "
        + cause + ")", cause);
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }
}
