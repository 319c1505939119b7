// The requests @liveblocks/node sends for inbox notifications, against the recording server of
// tests/core/test_notifications.py, and what it parses of the answers (one JSON line).
//
//   node notification_requests.mjs --base-url http://127.0.0.1:PORT
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const parsed = [];

parsed.push(
  await lb.getInboxNotification({ userId: "alice@example.com", inboxNotificationId: "in_1" })
);
parsed.push(await lb.getInboxNotifications({ userId: "alice@example.com" }));
parsed.push(
  await lb.getInboxNotifications({
    userId: "alice@example.com",
    query: { unread: true },
    limit: 10,
    organizationId: "acme",
  })
);
parsed.push(await lb.getInboxNotifications({ userId: "bob", query: "unread:false" }));
// The previous page was answered with a cursor: the next page, as our iterator asks for it.
parsed.push(
  await lb.getInboxNotifications({ userId: "bob", query: "unread:false", startingAfter: "c 1" })
);
await lb.deleteInboxNotification({ userId: "alice@example.com", inboxNotificationId: "in_1" });
await lb.deleteAllInboxNotifications({ userId: "alice@example.com" });
await lb.deleteAllInboxNotifications({ userId: "bob", organizationId: "acme" });
await lb.triggerInboxNotification({
  userId: "alice@example.com",
  kind: "$fileUploaded",
  subjectId: "file 1",
  activityData: { file: "report.pdf", pages: 12, urgent: false },
  roomId: "room 1/é",
  organizationId: "acme",
});
await lb.triggerInboxNotification({
  userId: "bob",
  kind: "$reminder",
  subjectId: "r-2",
  activityData: {},
});
console.log(JSON.stringify(parsed));
