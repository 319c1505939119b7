// The requests @liveblocks/node sends for storage files (uploadFile, getFileUrl), against the
// recording server of tests/core/test_files.py, and what it parses of the answers (one JSON
// line). With --dev-server, against the real dev server instead: it uploads the file of
// --upload PATH and prints its id and download URL.
//
//   node file_requests.mjs --base-url http://127.0.0.1:PORT [--big]
//   node file_requests.mjs --base-url URL --dev-server --room ROOM --upload PATH
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { Liveblocks } from "@liveblocks/node";

const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const baseUrl = arg("--base-url");
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });

if (process.argv.includes("--dev-server")) {
  const path = arg("--upload");
  const file = new File([readFileSync(path)], basename(path));
  const uploaded = await lb.uploadFile({ roomId: arg("--room"), file });
  const { url } = await lb.getFileUrl({ roomId: arg("--room"), file: uploaded });
  console.log(JSON.stringify({ id: uploaded.id, url }));
  process.exit(0);
}

const room = "room 1/é";
const parsed = [];
if (process.argv.includes("--big")) {
  const bytes = new Uint8Array(5 * 1024 * 1024 + 7).map((_, i) => i % 253);
  parsed.push((await lb.uploadFile({ roomId: room, file: new File([bytes], "big (1).bin") })).data);
} else {
  const file = new File([new Uint8Array([104, 105, 0, 255])], "notes (1) é.txt");
  parsed.push((await lb.uploadFile({ roomId: room, file })).data);
  parsed.push(await lb.getFileUrl({ roomId: room, file: "fl_1" }));
}
console.log(JSON.stringify(parsed));
