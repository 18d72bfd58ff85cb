package dev.spillway.server.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Notices that the config file or its {@code keysFile} changed, by polling: each poll compares the files'
 * modification times and sizes (cheap), and only when those moved reads and hashes the contents. A change is
 * reported once its content has stayed the same for one more poll (debounce: an editor or a deploy tool that
 * writes in several steps is seen once, finished), and only if it differs from the content last handled, so a
 * touch without a change, or a rejected file left as it is, does not reload again. Not thread-safe: one
 * polling thread.
 */
final class FileWatch {
  private final Supplier<List<Path>> files;
  private List<Stamp> stamps;
  private String handled;
  private String pending;

  /** @param handledHash the hash of the content running now ({@link ConfigReloader#hash}) */
  FileWatch(Supplier<List<Path>> files, String handledHash) {
    this.files = files;
    this.handled = handledHash;
    this.stamps = stamps(files.get());
  }

  /** Whether a settled change is due for a reload now. */
  boolean poll() {
    List<Path> paths = files.get();
    List<Stamp> now = stamps(paths);
    boolean moved = !now.equals(stamps);
    stamps = now;
    if (!moved && pending == null) {
      return false;
    }
    String hash = ConfigReloader.hash(paths);
    if (hash.equals(handled)) {
      pending = null;
      return false;
    }
    if (moved || !hash.equals(pending)) {
      pending = hash;
      return false;
    }
    pending = null;
    return true;
  }

  /** The content a reload just read (applied or not): it is not reported again. */
  void handled(String hash) {
    handled = hash;
  }

  private static List<Stamp> stamps(List<Path> paths) {
    List<Stamp> out = new ArrayList<>(paths.size());
    for (Path p : paths) {
      try {
        out.add(new Stamp(p, Files.getLastModifiedTime(p).toMillis(), Files.size(p)));
      } catch (IOException e) {
        out.add(new Stamp(p, -1, -1));
      }
    }
    return out;
  }

  private record Stamp(Path path, long modifiedMillis, long size) {
    Stamp {
      Objects.requireNonNull(path);
    }
  }
}
