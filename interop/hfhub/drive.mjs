// Drives a running `taonet hub serve` with the official @huggingface/hub
// client (version pinned in package.json). hub/interop_test.go starts the
// server, writes the files and tokens, runs this script and checks the store.
//
// Input (environment): HUB_URL, REPO, TOKEN (the namespace owner's hf_ token),
// OTHER_TOKEN (another hotkey's token), FILES_DIR (files to upload: every
// regular file below it), NEW_CONFIG (new content for config.json),
// DELETE_PATH (a file the second commit deletes), CACHE_DIR.
// Output: one JSON object on stdout; any failed expectation exits 1.
import * as hub from "@huggingface/hub";
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing ${k}`);
  return v;
};
const hubUrl = env("HUB_URL");
const name = env("REPO");
const accessToken = env("TOKEN");
const otherToken = env("OTHER_TOKEN");
const filesDir = env("FILES_DIR");
const repo = { type: "model", name };
const out = {};

function check(cond, msg) {
  if (!cond) throw new Error("expectation failed: " + msg);
}
const sha256 = (b) => createHash("sha256").update(b).digest("hex");
async function rejects(p, status, what) {
  try {
    await p;
  } catch (e) {
    check(e.statusCode === status, `${what}: status ${e.statusCode} (${e.message}), want ${status}`);
    return e;
  }
  throw new Error(`${what}: succeeded, want HTTP ${status}`);
}

async function walk(dir) {
  const files = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(p)));
    else files.push(p);
  }
  return files;
}

const local = {};
for (const p of await walk(filesDir)) {
  local[relative(filesDir, p).split("\\").join("/")] = await readFile(p);
}

// Identity and repo creation.
const me = await hub.whoAmI({ accessToken, hubUrl });
out.whoami = me.name;
const created = await hub.createRepo({ repo, accessToken, hubUrl, private: true });
out.repoUrl = created.repoUrl;
await rejects(hub.createRepo({ repo, accessToken, hubUrl, private: true }), 409, "create twice");

// Upload: small files inline, large/binary ones through LFS (preupload decides).
const first = await hub.uploadFiles({
  repo, accessToken, hubUrl, commitTitle: "first upload",
  files: Object.entries(local).map(([path, b]) => ({ path, content: new Blob([b]) })),
});
out.first = first.commit.oid;
check(/^[0-9a-f]{40}$/.test(out.first), "commit oid is 40 hex");

// Private: invisible without the owner's token.
await rejects(hub.modelInfo({ name, hubUrl }), 404, "anonymous modelInfo of a private repo");
await rejects(hub.modelInfo({ name, hubUrl, accessToken: otherToken }), 404, "other hotkey's modelInfo of a private repo");
check(!(await hub.fileExists({ repo, path: "config.json", hubUrl })), "anonymous fileExists of a private repo");
check(!(await hub.fileExists({ repo, path: "config.json", hubUrl, accessToken: otherToken })), "other hotkey's fileExists");
// Writing into someone else's namespace is refused.
await rejects(
  hub.uploadFiles({ repo, accessToken: otherToken, hubUrl, files: [{ path: "x.txt", content: new Blob(["x"]) }] }),
  403, "upload with another hotkey's token");
await rejects(
  hub.uploadFiles({ repo, accessToken: "hf_not_a_token", hubUrl, files: [{ path: "x.txt", content: new Blob(["x"]) }] }),
  401, "upload with a wrong token");

// A second commit: replace config.json, delete one file.
const newConfig = Buffer.from(env("NEW_CONFIG"));
const second = await hub.commit({
  repo, accessToken, hubUrl, title: "second",
  operations: [
    { operation: "addOrUpdate", path: "config.json", content: new Blob([newConfig]) },
    { operation: "delete", path: env("DELETE_PATH") },
  ],
});
out.second = second.commit.oid;
check(out.second !== out.first, "second commit is new");

// modelInfo: default (HEAD) and pinned revision.
const head = await hub.modelInfo({ name, hubUrl, accessToken, additionalFields: ["sha", "siblings"] });
check(head.sha === out.second, `HEAD sha ${head.sha}, want ${out.second}`);
check(head.private === true, "private flag");
out.headFiles = head.siblings.map((s) => s.rfilename).sort();
const pinned = await hub.modelInfo({ name, hubUrl, accessToken, revision: out.first, additionalFields: ["sha", "siblings"] });
check(pinned.sha === out.first, "pinned sha");
out.firstFiles = pinned.siblings.map((s) => s.rfilename).sort();

// listFiles (recursive; the server pages small, so Link pagination is used).
const listed = [];
for await (const f of hub.listFiles({ repo, hubUrl, accessToken, recursive: true })) listed.push(f);
out.listed = listed.map((f) => ({ type: f.type, path: f.path, size: f.size, lfs: f.lfs?.oid ?? null }));

// fileExists (raw HEAD).
check(await hub.fileExists({ repo, path: "config.json", hubUrl, accessToken }), "config.json exists");
check(!(await hub.fileExists({ repo, path: env("DELETE_PATH"), hubUrl, accessToken })), "deleted file is gone at HEAD");
check(await hub.fileExists({ repo, path: env("DELETE_PATH"), hubUrl, accessToken, revision: out.first }), "deleted file exists at the first commit");

// downloadFile: whole files byte-identical, and a ranged slice.
out.downloads = {};
for (const [path, b] of Object.entries(local)) {
  if (path === env("DELETE_PATH")) continue;
  const want = path === "config.json" ? newConfig : b;
  const blob = await hub.downloadFile({ repo, path, hubUrl, accessToken });
  const got = Buffer.from(await blob.arrayBuffer());
  check(Buffer.compare(got, want) === 0, `download ${path}: ${got.length} bytes, sha256 ${sha256(got)}, want ${sha256(want)}`);
  out.downloads[path] = sha256(got);
}
const big = Object.entries(local).sort((a, b) => b[1].length - a[1].length)[0];
const whole = await hub.downloadFile({ repo, path: big[0], hubUrl, accessToken });
const slice = Buffer.from(await whole.slice(1000, 5000).arrayBuffer());
check(Buffer.compare(slice, big[1].subarray(1000, 5000)) === 0, "ranged slice");
out.sliceBytes = slice.length;
check((await hub.downloadFile({ repo, path: "no/such.file", hubUrl, accessToken })) === null, "missing file downloads as null");
const old = await hub.downloadFile({ repo, path: env("DELETE_PATH"), hubUrl, accessToken, revision: out.first });
check(Buffer.compare(Buffer.from(await old.arrayBuffer()), local[env("DELETE_PATH")]) === 0, "pinned download of a deleted file");

// pathsInfo.
const pi = await hub.pathsInfo({ repo, paths: ["config.json", "nope.txt"], hubUrl, accessToken, expand: true });
check(pi.length === 1 && pi[0].path === "config.json" && pi[0].lastCommit.id === out.second, "pathsInfo");

// snapshotDownload into a cache dir (the Go test compares the files).
out.snapshot = await hub.snapshotDownload({ repo, hubUrl, accessToken, cacheDir: env("CACHE_DIR") });

console.log(JSON.stringify(out));
