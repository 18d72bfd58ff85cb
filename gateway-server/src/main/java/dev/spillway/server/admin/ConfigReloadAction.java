package dev.spillway.server.admin;

import java.util.concurrent.CompletableFuture;

/**
 * What {@code POST /config/reload} runs: reloads the config file off the admin event loop and answers with
 * the attempt.
 */
@FunctionalInterface
public interface ConfigReloadAction {

  /** Starts a reload; the reply's status is 200 (applied), 409 (needs a restart) or 422 (rejected). */
  CompletableFuture<Reply> reload();

  /** The HTTP status and JSON body of the answer. */
  record Reply(int status, byte[] json) {}
}
