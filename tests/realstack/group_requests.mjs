// The requests @liveblocks/node sends for the group calls, against the recording server of
// tests/core/test_groups.py (which sends the same calls with our client), and what it parses of
// the answers (one JSON line: dates as ISO strings).
//
//   node group_requests.mjs --base-url http://127.0.0.1:PORT
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const parsed = [];

parsed.push(await lb.createGroup({ groupId: "team 1/é", memberIds: ["alice", "bob"] }));
parsed.push(
  await lb.createGroup({
    groupId: "design",
    memberIds: [],
    organizationId: "acme",
    scopes: { mention: true },
  })
);
parsed.push(await lb.getGroup({ groupId: "team 1/é" }));
parsed.push(await lb.addGroupMembers({ groupId: "team 1/é", memberIds: ["carol"] }));
parsed.push(await lb.removeGroupMembers({ groupId: "team 1/é", memberIds: ["bob", "carol"] }));
await lb.deleteGroup({ groupId: "team 1/é" });
parsed.push(await lb.getGroups());
parsed.push(await lb.getGroups({ limit: 5 }));
parsed.push(await lb.getUserGroups({ userId: "alice@example.com" }));
parsed.push(await lb.getUserGroups({ userId: "alice@example.com", limit: 2 }));
// The previous page was answered with a cursor: the next page, as our iterator asks for it.
parsed.push(
  await lb.getUserGroups({ userId: "alice@example.com", limit: 2, startingAfter: "cursor 1" })
);
console.log(JSON.stringify(parsed));
