// SPDX-License-Identifier: MIT
// Seeding for bench/run: the users and rooms of the benchmark topology
// (bench/load/run.h) on a running server, through its public interfaces.
//
//   node bench/seed/seed.mjs parta --base=http://127.0.0.1:P --admin-login=L
//        --admin-password=PW --out=plan.txt [topology]
//     Logs the first administrator in (bearer), creates every user with
//     POST /api/v1/people (staff of the college, with a password), logs
//     each in with {"bearer":true}, creates the rooms with POST
//     /api/v1/chats and POST /api/v1/chats/:id/members, and writes the plan
//     file parta-load reads (tokens by user, chat ids by room). Argon2id
//     makes each create and each login cost ~50 ms of CPU, so users are
//     done a few at a time in parallel and each token is reused by every
//     connection of its user.
//
//   node bench/seed/seed.mjs ejabberd --base=http://127.0.0.1:P [topology]
//     Registers accounts u<i>@localhost through ejabberd's admin HTTP API
//     (mod_http_api `register`, the command `ejabberdctl register` runs)
//     and creates the rooms with `create_room` (the room defaults of
//     bench/peers/ejabberd.yml: persistent, archived by mod_mam).
//
// Topology options (defaults): --receivers=2000 --senders=20 --rooms=200
// --room-size=50 --fan-senders=4 --concurrency=8. Exits non-zero on the
// first request that fails, printing it.

import { writeFileSync } from 'node:fs';

const PASSWORD = 'bench-pass-2024';

function parseArgs(argv) {
  const o = {
    mode: argv[0], receivers: 2000, senders: 20, rooms: 200, roomSize: 50, fanSenders: 4,
    concurrency: 8,
  };
  for (const a of argv.slice(1)) {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`bad argument ${a}`);
    const key = m[1].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    o[key] = /^\d+$/.test(m[2]) ? Number(m[2]) : m[2];
  }
  if (!['parta', 'ejabberd'].includes(o.mode) || !o.base) throw new Error('usage: seed.mjs parta|ejabberd --base=URL …');
  return o;
}

// The rooms of the topology: members of many-room k, and of the fan-out room.
function topology(o) {
  const per = (o.rooms * o.roomSize) / o.receivers;
  const stride = o.rooms / per;
  if (!Number.isInteger(per) || !Number.isInteger(stride) || o.rooms % o.senders) throw new Error('bad topology');
  const perSender = o.rooms / o.senders;
  const reader = o.receivers + o.senders;
  const rooms = [];
  for (let k = 0; k < o.rooms; k++) {
    const members = [];
    for (let u = k % stride; u < o.receivers; u += stride) members.push(u);
    members.push(o.receivers + Math.floor(k / perSender), reader);
    rooms.push(members);
  }
  const fan = [];
  for (let u = 0; u < o.receivers; u++) fan.push(u);
  for (let s = 0; s < o.fanSenders; s++) fan.push(o.receivers + s);
  fan.push(reader);
  return { rooms, fan, users: reader + 1 };
}

// Run fn(i) for i in [0, n) with at most `width` running at once.
async function pool(n, width, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

async function request(base, method, path, body, token, okConflict = false) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 429 && attempt < 20) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (okConflict && (res.status === 409 || /already exists/.test(text))) return null;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }
}

async function seedParta(o) {
  const t0 = Date.now();
  const topo = topology(o);
  const admin = (await request(o.base, 'POST', '/api/v1/auth/login', { login: o.adminLogin, password: o.adminPassword, bearer: true })).token;
  const ids = new Array(topo.users);
  const tokens = new Array(topo.users);
  await pool(topo.users, o.concurrency, async (i) => {
    const login = `b${i}@bench.local`;
    const created = await request(o.base, 'POST', '/api/v1/people', {
      login, name: `Участник ${i}`, role: 'staff', unit_id: 1, password: PASSWORD,
    }, admin);
    ids[i] = created.user.id;
    tokens[i] = (await request(o.base, 'POST', '/api/v1/auth/login', { login, password: PASSWORD, bearer: true })).token;
  });
  const t1 = Date.now();
  const createRoom = async (title, members) => {
    const first = members.slice(0, 200).map((u) => ids[u]);
    const res = await request(o.base, 'POST', '/api/v1/chats', { kind: 'group', title, user_ids: first }, admin);
    const id = res.chat ? res.chat.id : res.id;
    for (let i = 200; i < members.length; i += 200) {
      await request(o.base, 'POST', `/api/v1/chats/${id}/members`, { user_ids: members.slice(i, i + 200).map((u) => ids[u]) }, admin);
    }
    return id;
  };
  const chats = new Array(o.rooms + 1);
  await pool(o.rooms, 4, async (k) => { chats[k] = await createRoom(`Комната ${k}`, topo.rooms[k]); });
  chats[o.rooms] = await createRoom('Поток', topo.fan);
  const lines = [`topology receivers=${o.receivers} senders=${o.senders} rooms=${o.rooms} room_size=${o.roomSize} fan_senders=${o.fanSenders}`];
  tokens.forEach((t, i) => lines.push(`token ${i} ${t}`));
  chats.forEach((c, k) => lines.push(`chat ${k} ${c}`));
  writeFileSync(o.out, lines.join('\n') + '\n');
  console.log(`seeded parta: ${topo.users} users in ${((t1 - t0) / 1000).toFixed(1)} s, ${o.rooms + 1} rooms in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
}

async function seedEjabberd(o) {
  const t0 = Date.now();
  const topo = topology(o);
  await pool(topo.users, 16, async (i) => {
    await request(o.base, 'POST', '/api/register', { user: `u${i}`, host: 'localhost', password: PASSWORD }, undefined, true);
  });
  const names = [];
  for (let k = 0; k < o.rooms; k++) names.push(`r${k}`);
  names.push('fan');
  await pool(names.length, 8, async (k) => {
    await request(o.base, 'POST', '/api/create_room', { name: names[k], service: 'conference.localhost', host: 'localhost' }, undefined, true);
  });
  console.log(`seeded ejabberd: ${topo.users} accounts, ${names.length} rooms in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const o = parseArgs(process.argv.slice(2));
try {
  if (o.mode === 'parta') await seedParta(o);
  else await seedEjabberd(o);
} catch (e) {
  console.error(`seed: ${e.message}`);
  process.exit(1);
}
