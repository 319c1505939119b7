// The requests @liveblocks/node sends for AI copilots and knowledge sources, against the
// recording server of tests/core/test_ai.py, and what it parses of the answers (one JSON line).
//
//   node ai_requests.mjs --base-url http://127.0.0.1:PORT
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const parsed = [];

parsed.push(await lb.getAiCopilots());
parsed.push(await lb.getAiCopilots({ limit: 5 }));
// The previous page was answered with a cursor: the next page, as our iterator asks for it.
parsed.push(await lb.getAiCopilots({ limit: 5, startingAfter: "c 1" }));
parsed.push(
  await lb.createAiCopilot({
    name: "Helper",
    systemPrompt: "You help.",
    provider: "openai",
    providerModel: "gpt-4o",
    providerApiKey: "sk-provider-secret",
  })
);
parsed.push(
  await lb.createAiCopilot({
    name: "Local",
    description: "on our own model",
    systemPrompt: "Be brief.",
    knowledgePrompt: "Use the docs.",
    alwaysUseKnowledge: true,
    settings: { maxTokens: 512, temperature: 0.2, stopSequences: ["END"] },
    provider: "openai-compatible",
    providerModel: "llama-3",
    compatibleProviderName: "ollama",
    providerBaseUrl: "http://localhost:11434/v1",
    providerApiKey: "none",
  })
);
parsed.push(await lb.getAiCopilot("co_1"));
parsed.push(
  await lb.updateAiCopilot("co_1", { name: "Helper 2", description: null, settings: null })
);
await lb.deleteAiCopilot("co_1");
parsed.push(
  await lb.createWebKnowledgeSource({ copilotId: "co_1", url: "https://docs.example.com", type: "crawl" })
);
const file = new File([new Uint8Array([37, 80, 68, 70])], "guide (v2).pdf", { type: "application/pdf" });
parsed.push(await lb.createFileKnowledgeSource({ copilotId: "co_1", file }));
parsed.push(await lb.getKnowledgeSources({ copilotId: "co_1" }));
parsed.push(await lb.getKnowledgeSource({ copilotId: "co_1", knowledgeSourceId: "ks_1" }));
parsed.push(await lb.getFileKnowledgeSourceMarkdown({ copilotId: "co_1", knowledgeSourceId: "ks_1" }));
parsed.push(
  await lb.getWebKnowledgeSourceLinks({ copilotId: "co_1", knowledgeSourceId: "ks_1", limit: 2 })
);
await lb.deleteFileKnowledgeSource({ copilotId: "co_1", knowledgeSourceId: "ks_1" });
await lb.deleteWebKnowledgeSource({ copilotId: "co_1", knowledgeSourceId: "ks_1" });
console.log(JSON.stringify(parsed));
