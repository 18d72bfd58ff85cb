// Run by OpenAiNodeSdkIT: the official OpenAI SDK, with its own retries, against a gateway whose provider
// answers 429 (retry-after: 1) to a body holding "#reject=N" the first N times. Prints one JSON line with
// what the SDK returned and threw, and how long each call took; exits 1 on anything unexpected.
const sdk = require('openai');
const OpenAI = sdk.OpenAI || sdk.default || sdk;

function header(headers, name) {
  if (!headers) {
    return null;
  }
  return typeof headers.get === 'function' ? headers.get(name) : headers[name];
}

async function main() {
  const client = new OpenAI({
    apiKey: 'sk-client-own-key', baseURL: process.env.BASE_URL, maxRetries: 2, timeout: 20000,
  });
  const started = Date.now();
  const ok = await client.chat.completions.create({
    model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'once #reject=1' }], max_tokens: 5,
  });
  const okMs = Date.now() - started;
  let error = null;
  const failing = Date.now();
  try {
    await client.chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'always #reject=9' }], max_tokens: 5,
    });
  } catch (e) {
    error = e;
  }
  const errorMs = Date.now() - failing;
  console.log(JSON.stringify({
    okContent: ok.choices[0].message.content,
    okMs,
    errorClass: error && error.constructor.name,
    errorIsRateLimit: error instanceof OpenAI.RateLimitError,
    errorStatus: error && error.status,
    errorRetryAfter: error && header(error.headers, 'retry-after'),
    errorRemaining: error && header(error.headers, 'x-ratelimit-remaining-requests'),
    errorMs,
  }));
}

main().catch((e) => {
  console.error('SDK error', e.status, e.message);
  process.exit(1);
});
