// The requests @liveblocks/node sends for feeds and their messages, against the recording
// server of tests/core/test_feeds.py, and what it parses of the answers (one JSON line).
//
//   node feed_requests.mjs --base-url http://127.0.0.1:PORT
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const roomId = "room 1/é";
const parsed = [];

parsed.push(await lb.getFeeds({ roomId }));
parsed.push(await lb.createFeed({ roomId, feedId: "chat 1" }));
parsed.push(
  await lb.createFeed({
    roomId,
    feedId: "chat/2",
    metadata: { type: "chat", tags: ["a", "b"] },
    createdAt: 1700000000123,
  })
);
parsed.push(await lb.getFeed({ roomId, feedId: "chat 1" }));
parsed.push(await lb.updateFeed({ roomId, feedId: "chat 1", metadata: { type: "log", tags: null } }));
await lb.deleteFeed({ roomId, feedId: "chat 1" });
parsed.push(await lb.getFeedMessages({ roomId, feedId: "chat 1" }));
parsed.push(await lb.createFeedMessage({ roomId, feedId: "chat 1", data: { text: "hi", n: [1, 2.5] } }));
parsed.push(
  await lb.createFeedMessage({
    roomId,
    feedId: "chat 1",
    id: "msg-1",
    createdAt: 1700000000999,
    data: "plain",
  })
);
parsed.push(
  await lb.updateFeedMessage({ roomId, feedId: "chat 1", messageId: "msg-1", data: { text: "edited" } })
);
parsed.push(
  await lb.updateFeedMessage({
    roomId,
    feedId: "chat 1",
    messageId: "msg-1",
    data: null,
    updatedAt: 1700000001000,
  })
);
await lb.deleteFeedMessage({ roomId, feedId: "chat 1", messageId: "msg-1" });
console.log(JSON.stringify(parsed));
