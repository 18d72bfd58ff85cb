package dev.spillway.core.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The modification time and size of a set of files, to tell when any of them changed. A file that cannot be
 * read has a stamp of its own, so it going missing or coming back counts as a change too.
 */
record FileStamps(List<String> stamps) {
  static FileStamps of(Path... files) {
    List<String> stamps = new ArrayList<>(files.length);
    for (Path file : files) {
      if (file == null) {
        continue;
      }
      try {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        stamps.add(file + "@" + attrs.lastModifiedTime().toMillis() + "/" + attrs.size() + "/" + attrs.fileKey());
      } catch (IOException e) {
        stamps.add(file + "@unreadable");
      }
    }
    return new FileStamps(List.copyOf(stamps));
  }
}
