// Run by OpenAiNodeSdkIT: the official OpenAI SDK against the gateway over HTTPS (the CA comes from
// NODE_EXTRA_CA_CERTS). Prints one JSON line with what the SDK returned; exits 1 with the error otherwise.
const sdk = require('openai');
const OpenAI = sdk.OpenAI || sdk.default || sdk;

async function main() {
  const client = new OpenAI({ apiKey: 'sk-client-own-key', baseURL: process.env.BASE_URL, maxRetries: 0 });
  const messages = [{ role: 'user', content: 'Say something' }];
  const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini', messages, max_tokens: 5, stream: true, stream_options: { include_usage: true },
  });
  let chunks = 0;
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    chunks++;
    text += (chunk.choices[0] && chunk.choices[0].delta && chunk.choices[0].delta.content) || '';
    if (chunk.usage) {
      usage = chunk.usage;
    }
  }
  console.log(JSON.stringify({
    plainObject: plain.object,
    plainContent: plain.choices[0].message.content,
    plainCompletionTokens: plain.usage.completion_tokens,
    streamChunks: chunks,
    streamText: text,
    streamCompletionTokens: usage && usage.completion_tokens,
  }));
}

main().catch((e) => {
  console.error('SDK error', e.status, e.message);
  process.exit(1);
});
