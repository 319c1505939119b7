// What @liveblocks/node's mutateStorage sends, against the recording server of
// tests/core/test_mutate_storage.py (which answers request-storage-mutation with a canned
// document): the same changes as the Python test makes. With --positions, instead:
// makePosition(before, after) of each pair of the JSON list on stdin (one JSON line).
//
//   node mutation_requests.mjs --base-url http://127.0.0.1:PORT
//   node mutation_requests.mjs --positions < pairs.json
import { Liveblocks, } from "@liveblocks/node";
import { LiveList, LiveMap, LiveObject, makePosition } from "@liveblocks/core";

if (process.argv.includes("--positions")) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const pairs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  console.log(JSON.stringify(pairs.map(([a, b]) => makePosition(a ?? undefined, b ?? undefined))));
  process.exit(0);
}

const baseUrl = process.argv[process.argv.indexOf("--base-url") + 1];
const lb = new Liveblocks({ secret: "sk_localdev", baseUrl });
await lb.mutateStorage("room 1/é", ({ root }) => {
  root.set("version", 2);
  root.update({ title: "Roadmap Q3", meta: new LiveObject({ tags: new LiveList(["x", 1]), n: 1 }) });
  const tasks = root.get("tasks");
  tasks.push("c");
  tasks.insert("first", 0);
  tasks.set(1, "A");
  tasks.move(0, 3);
  tasks.get(2).set("done", true);
  tasks.delete(1);
  const owners = root.get("owners");
  owners.set("bob", new LiveObject({ role: "editor", teams: new LiveMap([["x", "y"]]) }));
  owners.delete("alice");
  root.delete("title");
});
console.log(JSON.stringify({ done: true }));
