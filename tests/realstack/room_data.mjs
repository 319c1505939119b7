// The official client's side of a room's data, for the Python tests of storage, Yjs and active
// users. Each command prints one JSON line.
//
//   node room_data.mjs yjs-update
//       a Yjs document made with the yjs package: {"update": base64, "json": {...}}
//   node room_data.mjs storage-read  --base-url URL --room ROOM --token JWT
//       enters the room with @liveblocks/client: {"storage": root.toImmutable()}
//   node room_data.mjs storage-write --base-url URL --room ROOM --token JWT --count N
//       sets root.count = N and pushes "from-client" to the LiveList root.items, waits until
//       the server has them: {"written": true}
//   node room_data.mjs hold --base-url URL --room ROOM --tokens JWT,JWT,...
//       one client per token, all in the room: {"connected": [connectionId, ...]}, then stays
//       until stdin closes
import { createClient, LiveList } from "@liveblocks/client";
import WebSocket from "ws";
import * as Y from "yjs";

const [command, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(
  rest.reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, [])
);
const print = (value) => console.log(JSON.stringify(value));
const timeout = setTimeout(() => {
  print({ error: "timeout" });
  process.exit(3);
}, Number(args["timeout-ms"] || 20000));

function enter(token) {
  const client = createClient({
    baseUrl: args["base-url"],
    authEndpoint: async () => ({ token }),
    polyfills: { WebSocket },
  });
  const { room, leave } = client.enterRoom(args.room, { initialPresence: {} });
  return { room, leave };
}

function connected(room) {
  return new Promise((resolve) => {
    if (room.getSelf()) return resolve(room.getSelf());
    const stop = room.events.self.subscribe((self) => {
      if (self) {
        stop();
        resolve(self);
      }
    });
  });
}

function synchronized(room) {
  return new Promise((resolve) => {
    if (room.getStorageStatus() === "synchronized") return resolve();
    const stop = room.events.storageStatus.subscribe((status) => {
      if (status === "synchronized") {
        stop();
        resolve();
      }
    });
  });
}

async function main() {
  if (command === "yjs-update") {
    const doc = new Y.Doc();
    doc.getText("title").insert(0, "Roadmap 2027");
    const meta = doc.getMap("meta");
    meta.set("owner", "alice");
    meta.set("version", 3);
    doc.getArray("items").push(["ship", 42, { done: false }]);
    const update = Y.encodeStateAsUpdate(doc);
    print({ update: Buffer.from(update).toString("base64"), json: doc.toJSON() });
    return;
  }
  if (command === "storage-read") {
    const { room, leave } = enter(args.token);
    const { root } = await room.getStorage();
    print({ storage: root.toJSON() });
    leave();
    return;
  }
  if (command === "storage-write") {
    const { room, leave } = enter(args.token);
    const { root } = await room.getStorage();
    root.set("count", Number(args.count));
    let items = root.get("items");
    if (!(items instanceof LiveList)) {
      items = new LiveList([]);
      root.set("items", items);
    }
    items.push("from-client");
    await synchronized(room);
    print({ written: true });
    leave();
    return;
  }
  if (command === "hold") {
    const entered = args.tokens.split(",").map(enter);
    const selves = await Promise.all(entered.map(({ room }) => connected(room)));
    print({ connected: selves.map((self) => self.connectionId) });
    clearTimeout(timeout);
    process.stdin.resume();
    process.stdin.on("end", () => {
      entered.forEach(({ leave }) => leave());
      process.exit(0);
    });
    return;
  }
  print({ error: `unknown command ${command}` });
  process.exit(64);
}

main().then(
  () => {
    if (command !== "hold") {
      clearTimeout(timeout);
      setTimeout(() => process.exit(0), 50);
    }
  },
  (error) => {
    print({ error: String(error?.stack || error) });
    process.exit(1);
  }
);
