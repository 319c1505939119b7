// The requests @liveblocks/node sends for the notification and room subscription settings,
// against the recording server of tests/core/test_settings.py, and what it parses of the answers
// (one JSON line).
//
//   node settings_requests.mjs --base-url http://127.0.0.1:PORT
import { Liveblocks } from "@liveblocks/node";

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
const parsed = [];
const spread = (settings) => ({ ...settings }); // the four channels (enumerable getters)

parsed.push(spread(await lb.getNotificationSettings({ userId: "alice@example.com" })));
parsed.push(
  spread(
    await lb.updateNotificationSettings({
      userId: "alice@example.com",
      data: { email: { thread: false }, slack: { $custom: true } },
    })
  )
);
await lb.deleteNotificationSettings({ userId: "alice@example.com" });
parsed.push(await lb.getRoomSubscriptionSettings({ userId: "bob", roomId: "room 1/é" }));
parsed.push(
  await lb.updateRoomSubscriptionSettings({
    userId: "bob",
    roomId: "room 1/é",
    data: { threads: "all", textMentions: "none" },
  })
);
await lb.deleteRoomSubscriptionSettings({ userId: "bob", roomId: "room 1/é" });
parsed.push(await lb.getUserRoomSubscriptionSettings({ userId: "bob" }));
parsed.push(
  await lb.getUserRoomSubscriptionSettings({ userId: "bob", organizationId: "acme", limit: 3 })
);
// The previous page was answered with a cursor: the next page, as our iterator asks for it.
parsed.push(
  await lb.getUserRoomSubscriptionSettings({
    userId: "bob",
    organizationId: "acme",
    limit: 3,
    startingAfter: "cursor 1",
  })
);
console.log(JSON.stringify(parsed));
