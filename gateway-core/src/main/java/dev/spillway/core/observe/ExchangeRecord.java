package dev.spillway.core.observe;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.http.GatewayError;

/**
 * What one finished request looked like: the input of metrics, the access log and the status page. Holds no
 * secret: the tenant is its configured name (or a key-hash prefix), never a key.
 *
 * @param requestId the gateway's request id
 * @param route the route's name, or {@code null} when none matched
 * @param backend the backend's name, or {@code null}
 * @param endpoint the endpoint tried ({@code http://host:port}), or {@code null} when none was
 * @param tenant the tenant's display name, or {@code null} on a route without admission
 * @param priority the tenant's priority class name (lower case), or {@code null}
 * @param status the status the client got (0 if nothing was sent)
 * @param outcome how it ended
 * @param shedReason why admission refused it, or {@code null}
 * @param error the gateway's own error, or {@code null}
 * @param requestBytes request body bytes received
 * @param responseBytes response body bytes sent
 * @param durationNanos from the request head to the end
 * @param ttfbNanos from the request head to the response head, or -1
 * @param stream whether the response was an event stream
 * @param promptTokens from {@code usage} (or the estimate), 0 if unknown
 * @param completionTokens from {@code usage} (or counted from the stream), 0 if unknown
 * @param shadowRejected a limit in shadow mode would have rejected it
 * @param queueWaitNanos time spent in the backend's waiting room (0 when a slot was free at once), or -1
 *     when the request never asked for a slot
 * @param attempts backend attempts made (retries included), 0 when none was
 * @param tier the index of the failover tier that answered (0 is the primary), or -1
 * @param endpointsTried every endpoint tried, in order and comma-separated, when there was more than one
 *     attempt; {@code null} otherwise ({@link #endpoint} names the single one)
 * @param overflowFrom the backend whose waiting room could not take the request, so that it overflowed to
 *     a later failover tier ({@link #backend} names the one that served it); {@code null} when it did not
 */
public record ExchangeRecord(
    String requestId,
    String route,
    String backend,
    String endpoint,
    String tenant,
    String priority,
    int status,
    Outcome outcome,
    ShedReason shedReason,
    GatewayError error,
    long requestBytes,
    long responseBytes,
    long durationNanos,
    long ttfbNanos,
    boolean stream,
    long promptTokens,
    long completionTokens,
    boolean shadowRejected,
    long queueWaitNanos,
    int attempts,
    int tier,
    String endpointsTried,
    String overflowFrom) {}
