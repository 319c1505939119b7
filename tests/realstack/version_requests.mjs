// The requests @liveblocks/node sends for version history, against the recording server of
// tests/core/test_versions.py, and what it parses of the answers (one JSON line; the Yjs
// version as hex).
//
//   node version_requests.mjs --base-url http://127.0.0.1:PORT
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const room = "room 1/é";
const parsed = [];

parsed.push(await lb.getVersionHistory(room));
parsed.push(await lb.getVersionHistory(room, { limit: 5 }));
// The previous page was answered with a cursor: the next page, as our iterator asks for it.
parsed.push(await lb.getVersionHistory(room, { limit: 5, cursor: "c 1" }));
parsed.push(await lb.createVersionHistorySnapshot(room));
const update = await lb.getYjsVersion({ roomId: room, versionId: "vh_1" });
parsed.push(Buffer.from(update).toString("hex"));
await lb.deleteVersion({ roomId: room, versionId: "vh_1" });
console.log(JSON.stringify(parsed));
