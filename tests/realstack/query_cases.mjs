// Node's objectToQuery (what @liveblocks/node sends for a query given as an object, in
// getRooms, getThreads and getInboxNotifications) of each object of the JSON list on stdin, for
// tests/core/test_query.py: one JSON line, the strings.
//
//   node query_cases.mjs < objects.json
import { objectToQuery } from "@liveblocks/core";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const cases = JSON.parse(Buffer.concat(chunks).toString("utf8"));
console.log(JSON.stringify(cases.map((query) => objectToQuery(query))));
