package dev.spillway.server.reload;

/**
 * Which config runs, as {@code /config} and the status page show it.
 *
 * @param source the config file, or {@code built-in}
 * @param sha256 the hash of the running config's file and {@code keysFile} as they were read
 * @param since when it was applied (ISO-8601 UTC): the start, or the last applied reload
 * @param lastAttempt the last reload attempt, or {@code null} before any
 * @param lastFailure the last attempt that was not applied, or {@code null} if none was
 */
public record ConfigState(String source, String sha256, String since, ReloadAttempt lastAttempt,
    ReloadAttempt lastFailure) {}
