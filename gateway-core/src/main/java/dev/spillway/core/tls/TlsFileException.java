package dev.spillway.core.tls;

import java.nio.file.Path;

/** A certificate or key file that cannot be used; the message names the file and says why. */
public final class TlsFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public TlsFileException(Path file, String detail, Throwable cause) {
    super(file + ": " + detail, cause);
    this.file = file;
  }

  public TlsFileException(Path file, String detail) {
    this(file, detail, null);
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
