// Differential oracle: reads a JSON array of scope lists on stdin and prints, for each, true when
// the official validatePermissionsSet (@liveblocks/core) accepts it, else its message.
import { validatePermissionsSet } from "@liveblocks/core";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const lists = JSON.parse(input);
  process.stdout.write(JSON.stringify(lists.map((scopes) => validatePermissionsSet(scopes))));
});
