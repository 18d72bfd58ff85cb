package dev.spillway.core.llm;

/**
 * What a {@link ChatRequestScanner} learned from (a prefix of) an LLM request body (see {@link LlmApi}).
 *
 * @param model the top-level {@code model}, or null (absent, not a string, or longer than 256 bytes)
 * @param maxTokens {@code max_completion_tokens} or {@code max_output_tokens} if present, else
 *     {@code max_tokens}, else -1; a value that is
 *     not a non-negative integer counts as absent
 * @param stream the top-level {@code stream} is {@code true}
 * @param includeUsage the top-level {@code stream_options.include_usage} is {@code true}
 * @param promptChars UTF-16 units of the prompt text seen: message {@code content} strings, the {@code text}
 *     of content parts and blocks, tool-call {@code arguments}, the legacy {@code prompt} string(s), the
 *     Responses API's {@code input} and {@code instructions}, Embeddings' {@code input} and Anthropic's
 *     {@code system}; includes the
 *     part of a string the scan stopped in
 * @param promptTokenIds integers seen in a {@code prompt} or {@code input} array: prompts sent as token ids
 * @param scannedBytes how many body bytes were scanned (what {@code promptChars} was counted from)
 * @param complete the whole top-level object was seen within the cap
 * @param malformed the body is not JSON, or its top-level value is not an object
 */
public record ChatRequestInfo(String model, long maxTokens, boolean stream, boolean includeUsage,
    long promptChars, long promptTokenIds, long scannedBytes, boolean complete, boolean malformed) {}
