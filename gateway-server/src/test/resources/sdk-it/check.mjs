// Drives the gateway with the official OpenAI and Anthropic Node SDKs; prints one JSON object of results.
// Usage: node check.mjs http://127.0.0.1:<gateway port>
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const base = process.argv[2];
const out = {};
const prompt = [{ role: 'user', content: 'hello there' }];

const openai = new OpenAI({ apiKey: 'sk-pro', baseURL: base + '/v1', maxRetries: 0 });
let chat = '';
const chatStream = await openai.chat.completions.create({ model: 'mock-gpt', messages: prompt, stream: true,
  max_tokens: 5 });
for await (const chunk of chatStream) chat += chunk.choices[0]?.delta?.content ?? '';
out.chat = chat;

let responses = '';
const responsesStream = await openai.responses.create({ model: 'mock-gpt', input: 'hello there',
  max_output_tokens: 4, stream: true });
for await (const event of responsesStream) {
  if (event.type === 'response.output_text.delta') responses += event.delta;
  if (event.type === 'response.completed') out.responsesUsage = event.response.usage;
}
out.responses = responses;

const anthropic = new Anthropic({ authToken: 'sk-pro', apiKey: null, baseURL: base, maxRetries: 0 });
let text = '';
const messageStream = anthropic.messages.stream({ model: 'claude-mock', max_tokens: 3, messages: prompt });
messageStream.on('text', (t) => { text += t; });
const message = await messageStream.finalMessage();
out.anthropic = text;
out.anthropicUsage = message.usage;

// The free tier allows 1 request per 5 s: the first passes, the next ones are rate limited.
const free = new OpenAI({ apiKey: 'sk-free', baseURL: base + '/v1', maxRetries: 0 });
await free.chat.completions.create({ model: 'mock-gpt', messages: prompt, max_tokens: 1 });
try {
  await free.chat.completions.create({ model: 'mock-gpt', messages: prompt, max_tokens: 1 });
  out.openai429 = 'no error';
} catch (e) {
  out.openai429 = { name: e.constructor.name, status: e.status, rateLimitError: e instanceof OpenAI.RateLimitError,
    code: e.code ?? null };
}
const freeAnthropic = new Anthropic({ authToken: 'sk-free', apiKey: null, baseURL: base, maxRetries: 0 });
try {
  await freeAnthropic.messages.create({ model: 'claude-mock', max_tokens: 1, messages: prompt });
  out.anthropic429 = 'no error';
} catch (e) {
  out.anthropic429 = { name: e.constructor.name, status: e.status,
    rateLimitError: e instanceof Anthropic.RateLimitError, type: e.error?.error?.type ?? null,
    reset: e.headers?.get?.('anthropic-ratelimit-requests-reset') ?? null };
}

// With retries on, each SDK waits the Retry-After it was given and then succeeds.
let started = Date.now();
const retried = await new OpenAI({ apiKey: 'sk-free', baseURL: base + '/v1', maxRetries: 3 }).chat.completions
  .create({ model: 'mock-gpt', messages: prompt, max_tokens: 1 });
out.openaiRetry = { ok: retried.object === 'chat.completion', millis: Date.now() - started };
started = Date.now();
const retriedMessage = await new Anthropic({ authToken: 'sk-free', apiKey: null, baseURL: base, maxRetries: 3 })
  .messages.create({ model: 'claude-mock', max_tokens: 1, messages: prompt });
out.anthropicRetry = { ok: retriedMessage.type === 'message', millis: Date.now() - started };

console.log(JSON.stringify(out));
