// The requests @liveblocks/node sends for the room data calls, made against a recording server
// of the Python test (tests/core/test_room_data.py), which sends the same calls with our client
// and compares what it saw.
//
//   node request_shapes.mjs --base-url http://127.0.0.1:PORT
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const update = new Uint8Array([1, 1, 2, 0, 4, 1, 5, 116, 105, 116, 108, 101, 1, 120, 0]);

await lb.getOrCreateRoom("room 1/é", {
  defaultAccesses: ["room:read", "room:presence:write"],
  groupsAccesses: { editors: ["room:write"] },
  metadata: { color: "blue" },
  organizationId: "acme",
});
await lb.upsertRoom("room 1/é", {
  update: { usersAccesses: { alice: ["room:write"], bob: null }, metadata: { color: null } },
  create: { defaultAccesses: [] },
});
await lb.upsertRoom("room 1/é", { update: { defaultAccesses: ["room:write"] } });
await lb.getStorageDocument("room 1/é");
await lb.getStorageDocument("room 1/é", "json");
await lb.initializeStorageDocument("room 1/é", {
  liveblocksType: "LiveObject",
  data: { count: 1, list: { liveblocksType: "LiveList", data: ["a"] } },
});
await lb.deleteStorageDocument("room 1/é");
await lb.getYjsDocument("room 1/é");
await lb.getYjsDocument("room 1/é", { key: "title", type: "ytext", format: true });
await lb.sendYjsBinaryUpdate("room 1/é", update);
await lb.sendYjsBinaryUpdate("room 1/é", update, { guid: "sub-1" });
await lb.getYjsDocumentAsBinaryUpdate("room 1/é");
await lb.getYjsDocumentAsBinaryUpdate("room 1/é", { guid: "sub-1" });
await lb.getActiveUsers("room 1/é");
await lb.broadcastEvent("room 1/é", { type: "kick", userId: "bob", reasons: ["demoted", 1] });
await lb.broadcastEvent("room 1/é", "refresh");
await lb.prewarmRoom("room 1/é");
await lb.setPresence("room 1/é", {
  userId: "agent-1",
  data: { status: "thinking", cursor: { x: 1, y: 2.5 } },
  userInfo: { name: "AI", avatar: "https://example.com/a.png" },
  ttl: 60,
});
await lb.setPresence("room 1/é", { userId: "agent-2", data: {} });
await lb.updateRoomId({ currentRoomId: "room 1/é", newRoomId: "room 2/ü" });
const listing = {
  limit: 10,
  userId: "alice@example.com",
  groupIds: ["a b", "c"],
  organizationId: "acme",
  query: { roomId: { startsWith: "room " }, metadata: { color: "blue" } },
};
await lb.getRooms(listing); // answered with a cursor, which the next call follows
await lb.getRooms({ ...listing, startingAfter: "cursor 1" });
await lb.getRooms({ query: "roomId^'x'" });
console.log(JSON.stringify({ done: true }));
