// The requests @liveblocks/node sends for threads, comments, reactions, subscriptions and
// attachments, against the recording server of tests/core/test_threads.py, and what it parses
// of the answers (one JSON line).
//
//   node thread_requests.mjs --base-url http://127.0.0.1:PORT [--big-upload]
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const room = "room 1/é";
const body = {
  version: 1,
  content: [
    {
      type: "paragraph",
      children: [
        { text: "Hello " },
        { type: "mention", id: "bob@example.com", kind: "user" },
        { text: " see", bold: true },
        { type: "link", url: "https://example.com", text: "this" },
      ],
    },
  ],
};
const at = new Date("2024-01-15T10:30:00.123Z");
const parsed = [];

if (process.argv.includes("--big-upload")) {
  // 5 MiB + 3 bytes: two parts.
  const bytes = new Uint8Array(5 * 1024 * 1024 + 3).map((_, i) => i % 251);
  const file = new File([bytes], "big (1).bin");
  parsed.push(await lb.uploadAttachment({ roomId: room, userId: "alice", file }));
  console.log(JSON.stringify(parsed));
  process.exit(0);
}

parsed.push(await lb.getThreads({ roomId: room }));
parsed.push(await lb.getThreads({ roomId: room, query: "resolved:false" }));
parsed.push(
  await lb.getThreads({
    roomId: room,
    query: {
      resolved: true,
      visibility: "private",
      metadata: { status: "open", pinned: false, priority: 3, org: { startsWith: "acme:" } },
    },
  })
);
parsed.push(await lb.getThread({ roomId: room, threadId: "th_1" }));
parsed.push(await lb.getThreadParticipants({ roomId: room, threadId: "th_1" }));
parsed.push(await lb.getThreadSubscriptions({ roomId: room, threadId: "th_1" }));
parsed.push(
  await lb.createThread({
    roomId: room,
    data: { comment: { userId: "alice@example.com", body } },
  })
);
parsed.push(
  await lb.createThread({
    roomId: room,
    data: {
      metadata: { status: "open", priority: 2, pinned: true },
      visibility: "private",
      comment: {
        userId: "alice",
        body,
        createdAt: at,
        attachmentIds: ["at_1"],
        metadata: { source: "bot" },
      },
    },
  })
);
await lb.deleteThread({ roomId: room, threadId: "th_1" });
parsed.push(
  await lb.editThreadMetadata({
    roomId: room,
    threadId: "th_1",
    data: { metadata: { status: "closed", old: null }, userId: "alice", updatedAt: at },
  })
);
parsed.push(await lb.markThreadAsResolved({ roomId: room, threadId: "th_1", data: { userId: "alice" } }));
parsed.push(
  await lb.markThreadAsUnresolved({ roomId: room, threadId: "th_1", data: { userId: "alice" } })
);
parsed.push(await lb.subscribeToThread({ roomId: room, threadId: "th_1", data: { userId: "alice" } }));
await lb.unsubscribeFromThread({ roomId: room, threadId: "th_1", data: { userId: "alice" } });
parsed.push(await lb.getComment({ roomId: room, threadId: "th_1", commentId: "cm_1" }));
parsed.push(
  await lb.createComment({
    roomId: room,
    threadId: "th_1",
    data: { userId: "alice", body },
  })
);
parsed.push(
  await lb.createComment({
    roomId: room,
    threadId: "th_1",
    data: { userId: "bob", body, createdAt: at, attachmentIds: ["at_1", "at_2"], metadata: { n: 1 } },
  })
);
parsed.push(
  await lb.editComment({ roomId: room, threadId: "th_1", commentId: "cm_1", data: { body } })
);
parsed.push(
  await lb.editComment({
    roomId: room,
    threadId: "th_1",
    commentId: "cm_1",
    data: { body, editedAt: at, attachmentIds: [], metadata: { n: null, flag: true } },
  })
);
await lb.deleteComment({ roomId: room, threadId: "th_1", commentId: "cm_1" });
parsed.push(
  await lb.editCommentMetadata({
    roomId: room,
    threadId: "th_1",
    commentId: "cm_1",
    data: { metadata: { n: 2 }, userId: "alice" },
  })
);
parsed.push(
  await lb.addCommentReaction({
    roomId: room,
    threadId: "th_1",
    commentId: "cm_1",
    data: { emoji: "👍", userId: "alice", createdAt: at },
  })
);
await lb.removeCommentReaction({
  roomId: room,
  threadId: "th_1",
  commentId: "cm_1",
  data: { emoji: "👍", userId: "alice" },
});
parsed.push(await lb.getAttachment({ roomId: room, attachmentId: "at_1" }));
const file = new File([new Uint8Array([1, 2, 3, 250])], "report (final) é.pdf");
parsed.push(await lb.uploadAttachment({ roomId: room, userId: "alice", file }));
console.log(JSON.stringify(parsed));
