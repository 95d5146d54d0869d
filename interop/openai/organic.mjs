// Drives taonet's organic API (`taonet prompting api`, /v1/chat/completions)
// with the official openai npm SDK: a streamed and a whole chat completion,
// and a request with a wrong API key.
// Usage: node organic.mjs BASE_URL API_KEY QUESTION
// Prints one JSON object; the Go test (subnets/prompting/organic
// TestOpenAISDKAgainstGateway) checks it.
import OpenAI from "openai";

const [base, key, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL: base + "/v1", apiKey: key, maxRetries: 0, timeout: 60000 });
const messages = [{ role: "user", content: question }];

const out = { chunks: [] };
const stream = await client.chat.completions.create({ model: "taonet", messages, stream: true });
for await (const chunk of stream) {
  const d = chunk.choices[0]?.delta?.content;
  if (d) out.chunks.push(d);
  if (chunk.choices[0]?.finish_reason) out.finish = chunk.choices[0].finish_reason;
}
const whole = await client.chat.completions.create({ model: "taonet", messages });
out.whole = whole.choices[0].message.content;
out.models = (await client.models.list()).data.map((m) => m.id);

const bad = new OpenAI({ baseURL: base + "/v1", apiKey: "wrong-key", maxRetries: 0 });
try {
  await bad.chat.completions.create({ model: "taonet", messages });
  out.bad = null;
} catch (e) {
  out.bad = { status: e.status, name: e.constructor.name, code: e.code ?? null };
}
console.log(JSON.stringify(out));
