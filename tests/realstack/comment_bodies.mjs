// The Node SDK's comment-body helpers on the cases Python sends (JSON on stdin), for
// tests/core/test_comment_body.py: stringifyCommentBody in the three formats (resolvers
// answering from each case's tables), getMentionsFromCommentBody, and sanitizeUrl.
//
//   node comment_bodies.mjs < cases.json > results.json
//   cases.json: {"cases": [{"body": ..., "users": {id: info|null}|null, "groups": ...|null,
//                "separator": str|null}], "urls": [str]}
import { getMentionsFromCommentBody, stringifyCommentBody } from "@liveblocks/node";
import { sanitizeUrl } from "@liveblocks/core";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function resolver(table, key) {
  if (!table) return undefined;
  return async (args) => args[key].map((id) => (id in table ? table[id] : undefined));
}

const results = [];
for (const { body, users, groups, separator } of input.cases) {
  const options = {
    resolveUsers: resolver(users, "userIds"),
    resolveGroupsInfo: resolver(groups, "groupIds"),
    ...(separator === null || separator === undefined ? {} : { separator }),
  };
  const out = { mentions: getMentionsFromCommentBody(body) };
  for (const format of ["plain", "markdown", "html"]) {
    out[format] = await stringifyCommentBody(body, { ...options, format });
  }
  results.push(out);
}
const urls = input.urls.map((url) => sanitizeUrl(url));
process.stdout.write(JSON.stringify({ results, urls }));
