// Drives taonet's /v1/completions with the official openai npm SDK:
// token-id prompts (one and a list) with echo + logprobs, vLLM's
// prompt_logprobs, generation from token ids, and a bad token id.
// Usage: node completions.mjs BASE_URL MODEL '[[ids...], ...]'
// Prints one JSON object with the SDK's responses; the Go test
// (lm/serve/modelengine TestOpenAINodeTokenPrompts) checks them.
import OpenAI from "openai";

const [base, model, idsJSON] = process.argv.slice(2);
const prompts = JSON.parse(idsJSON);
const client = new OpenAI({ baseURL: base + "/v1", apiKey: "unused", maxRetries: 0, timeout: 60000 });

const out = {};
out.single = await client.completions.create({ model, prompt: prompts[0], echo: true, logprobs: 0, max_tokens: 0 });
out.batch = await client.completions.create({ model, prompt: prompts, echo: true, logprobs: 1, max_tokens: 0 });
// prompt_logprobs is vLLM's extension; the SDK sends extra body fields as given.
out.vllm = await client.completions.create({ model, prompt: prompts[0], max_tokens: 0, prompt_logprobs: 0 });
out.gen = await client.completions.create({ model, prompt: prompts[0], max_tokens: 5, temperature: 0, echo: true });
out.text = await client.completions.create({ model, prompt: ["Hello there", "General Kenobi"], max_tokens: 0, echo: true, logprobs: 0 });
try {
  await client.completions.create({ model, prompt: [1, 2, 999999999], max_tokens: 1 });
  out.bad = null;
} catch (e) {
  out.bad = { status: e.status, message: e.message };
}
console.log(JSON.stringify(out));
