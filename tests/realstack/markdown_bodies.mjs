// Node's markdownToCommentBody on each Markdown text of the JSON list on stdin, for
// tests/core/test_markdown_body.py: one JSON line, the bodies (or {"error": message}).
//
//   node markdown_bodies.mjs < texts.json
import { markdownToCommentBody } from "@liveblocks/node";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));
console.log(
  JSON.stringify(
    texts.map((text) => {
      try {
        return markdownToCommentBody(text);
      } catch (error) {
        return { error: String(error.message) };
      }
    })
  )
);
