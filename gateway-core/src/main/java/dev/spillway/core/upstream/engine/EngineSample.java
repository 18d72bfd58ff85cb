package dev.spillway.core.upstream.engine;

/**
 * One scrape of an engine's metrics.
 *
 * @param running requests in the engine's running batch, or {@code NaN} if not reported
 * @param waiting requests in the engine's waiting queue
 * @param kvCacheUsage KV-cache use from 0 to 1, or {@code NaN} if not reported
 * @param atNanos when the scrape completed, on the backend's ticker
 */
public record EngineSample(double running, double waiting, double kvCacheUsage, long atNanos) {}
