// The reaper: a tiny detached process that removes what its owner started if the owner dies
// without cleaning up (Ctrl-C, a timeout kill, a crash). It plays the part of Testcontainers'
// Ryuk, which cannot be pulled on machines without a registry, and also covers native servers.
//
// The owner writes one JSON line per resource to our stdin: {"add":{...}} or {"remove":{...}},
// where a resource is {"container":id}, {"label":"key=value"} (every container carrying it),
// {"pid":n} (a process group leader) or {"dir":path}.
// When stdin ends, for whatever reason, everything still registered is removed and we exit.
"use strict";
const { rmSync } = require("node:fs");
const http = require("node:http");

const live = new Map();
const keyOf = (resource) => JSON.stringify(resource);

let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (!line.trim()) continue;
    try {
      const message = JSON.parse(line);
      if (message.add) live.set(keyOf(message.add), message.add);
      if (message.remove) live.delete(keyOf(message.remove));
    } catch {
      // A torn line can only come from a dying owner; the cleanup below still runs.
    }
  }
});
process.stdin.on("end", () => void reapAll());
process.stdin.on("error", () => void reapAll());
// A detached reaper must survive the Ctrl-C that killed its owner.
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});

let reaping = false;
async function reapAll() {
  if (reaping) return;
  reaping = true;
  const resources = [...live.values()];
  // Processes first (they may hold files in the folders), then containers, then folders.
  for (const r of resources) if (r.pid) killGroup(r.pid);
  // A label covers containers still being created when the owner died, before their id was known.
  const labelled = await Promise.all(
    resources.filter((r) => r.label).map((r) => containersLabelled(r.label)),
  );
  const ids = new Set([
    ...resources.filter((r) => r.container).map((r) => r.container),
    ...labelled.flat(),
  ]);
  await Promise.all([...ids].map((id) => removeContainer(id)));
  for (const r of resources) if (r.dir) rmSync(r.dir, { recursive: true, force: true });
  process.exit(0);
}

function killGroup(pid) {
  for (const signal of ["SIGCONT", "SIGKILL"]) {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }
}

function dockerEndpoint() {
  const host = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

function containersLabelled(label) {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  return new Promise((resolve) => {
    const request = http.get(
      { ...dockerEndpoint(), path: `/containers/json?all=1&filters=${filters}` },
      (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => {
          try {
            resolve(JSON.parse(body).map((c) => c.Id));
          } catch {
            resolve([]);
          }
        });
      },
    );
    request.setTimeout(15000, () => request.destroy());
    request.on("error", () => resolve([]));
  });
}

function removeContainer(id) {
  return new Promise((resolve) => {
    const request = http.request(
      { ...dockerEndpoint(), method: "DELETE", path: `/containers/${id}?force=true&v=true` },
      (response) => {
        response.resume();
        response.on("end", resolve);
      },
    );
    request.setTimeout(15000, () => request.destroy());
    request.on("error", resolve);
    request.on("close", resolve);
    request.end();
  });
}
