// SPDX-License-Identifier: MIT
// Invitation links API: creating links (who may invite whom into which unit,
// defaults, validation), listing only the links one manages with their token
// shown again, revoking, and the printable QR codes (PNG and SVG). Every
// refusal is checked to change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { startServer } from '../lib/server.mjs';
import { createFirstAdmin, loginAs, request } from '../lib/http.mjs';

const PW = 'password-1234';
let srv;
let admin;
const unit = {};
const who = {};

async function post(p, path, json) {
  return p.post(path, json, { csrf: true });
}

async function mkUnit(body) {
  const r = await post(admin, '/api/v1/org/units', body);
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function mkPerson(login, name, role, unitId, extra = {}) {
  const r = await post(admin, '/api/v1/people', { login, name, password: PW, role, unit_id: unitId, ...extra });
  assert.equal(r.status, 201, r.text);
  return loginAs(srv, login, PW);
}

async function allLinks() {
  const r = await admin.get('/api/v1/invites');
  assert.equal(r.status, 200, r.text);
  return r.json.invites;
}

async function mkLink(p, body) {
  const r = await post(p, '/api/v1/invites', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  srv = await startServer({ args: ['--login-ip-per-minute=10000', '--invite-ip-per-minute=10000'] });
  admin = await createFirstAdmin(srv);
  unit.branch = await mkUnit({ kind: 'branch', parent_id: 1, name: 'Бардымский филиал' });
  unit.branch2 = await mkUnit({ kind: 'branch', parent_id: 1, name: 'Уинский филиал' });
  unit.dept = await mkUnit({ kind: 'department', parent_id: unit.branch, name: 'ЦМК общеобразовательных дисциплин' });
  unit.groupA = await mkUnit({ kind: 'study_group', parent_id: unit.branch, name: 'Техническое обслуживание', code: 'ТО-21', enrolment_year: 2021 });
  unit.groupB = await mkUnit({ kind: 'study_group', parent_id: unit.branch2, name: 'Сварочное производство', code: 'СП-22', enrolment_year: 2022 });
  who.administration = await mkPerson('director@college.ru', 'Кузнецова Ольга', 'administration', 1, { director: true });
  who.curatorA = await mkPerson('curator.a@college.ru', 'Петрова Наталья', 'curator', unit.groupA);
  who.curatorB = await mkPerson('curator.b@college.ru', 'Сидоров Иван', 'curator', unit.groupB);
  who.teacher = await mkPerson('teacher@college.ru', 'Морозов Алексей', 'teacher', unit.branch);
  who.staff = await mkPerson('staff@college.ru', 'Волкова Анна', 'staff', unit.branch);
  who.student = await mkPerson('student@college.ru', 'Иванов Пётр', 'student', unit.groupA);
});

after(async () => { await srv?.stop(); });

describe('POST /api/v1/invites', () => {
  test('the platform administrator creates links for every linkable role, with the documented defaults', async () => {
    const cases = [
      ['administration', 1, 1], ['teacher', unit.branch, 1], ['staff', unit.dept, 1],
      ['curator', unit.groupA, 1], ['student', unit.groupA, 100], ['parent', unit.groupA, 100],
    ];
    for (const [role, unitId, maxUses] of cases) {
      const before = Date.now();
      const inv = await mkLink(admin, { role, unit_id: unitId });
      assert.equal(inv.role, role);
      assert.equal(inv.unit.id, unitId);
      assert.match(inv.token, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(inv.url, `${srv.url}/join/${inv.token}`);
      assert.equal(inv.max_uses, maxUses, role);
      assert.equal(inv.uses, 0);
      assert.equal(inv.needs_approval, true);
      assert.equal(inv.revoked, false);
      assert.equal(inv.state, 'live');
      assert.equal(inv.note, '');
      const ttl = (Date.parse(inv.expires_at) - before) / 1000;
      assert.ok(ttl > 7 * 86400 - 60 && ttl < 7 * 86400 + 60, `default expiry ${inv.expires_at}`);
    }
  });

  test('explicit expiry, uses, approval and note are kept; a parent link always needs approval', async () => {
    const inv = await mkLink(admin, { role: 'student', unit_id: unit.groupA, expires_in_s: 3600, max_uses: 30, needs_approval: false, note: 'Для ТО-21, сентябрь' });
    assert.equal(inv.max_uses, 30);
    assert.equal(inv.needs_approval, false);
    assert.equal(inv.note, 'Для ТО-21, сентябрь');
    const ttl = (Date.parse(inv.expires_at) - Date.now()) / 1000;
    assert.ok(ttl > 3500 && ttl <= 3600, String(ttl));
    const parent = await mkLink(admin, { role: 'parent', unit_id: unit.groupA, needs_approval: false });
    assert.equal(parent.needs_approval, true);
    // two links never share a token
    assert.notEqual(inv.token, parent.token);
  });

  test('a curator creates the student and parent links of their own group', async () => {
    const s = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA });
    assert.equal(s.unit.name, 'Техническое обслуживание');
    assert.equal(s.created_by.name, 'Петрова Наталья');
    await mkLink(who.curatorA, { role: 'parent', unit_id: unit.groupA });
  });

  test('a teacher and the administration create parent links for groups in their unit', async () => {
    await mkLink(who.teacher, { role: 'parent', unit_id: unit.groupA });
    await mkLink(who.administration, { role: 'parent', unit_id: unit.groupB });
  });

  test('everyone else is refused with 403 and no link is created', async () => {
    const refused = [
      [who.curatorA, { role: 'student', unit_id: unit.groupB }],
      [who.curatorA, { role: 'parent', unit_id: unit.groupB }],
      [who.curatorA, { role: 'curator', unit_id: unit.groupA }],
      [who.curatorA, { role: 'teacher', unit_id: unit.branch }],
      [who.teacher, { role: 'parent', unit_id: unit.groupB }],
      [who.teacher, { role: 'student', unit_id: unit.groupA }],
      [who.teacher, { role: 'teacher', unit_id: unit.branch }],
      [who.administration, { role: 'teacher', unit_id: unit.branch }],
      [who.administration, { role: 'student', unit_id: unit.groupA }],
      [who.staff, { role: 'parent', unit_id: unit.groupA }],
      [who.student, { role: 'student', unit_id: unit.groupA }],
      [who.student, { role: 'parent', unit_id: unit.groupA }],
    ];
    const count = (await allLinks()).length;
    for (const [p, body] of refused) {
      const r = await post(p, '/api/v1/invites', body);
      assert.equal(r.status, 403, `${p.user.login} ${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, 'forbidden');
    }
    assert.equal((await allLinks()).length, count);
  });

  test('malformed input gets 400 with the field', async () => {
    const ok = { role: 'student', unit_id: unit.groupA };
    const cases = [
      [{ unit_id: unit.groupA }, 'role'],
      [{ ...ok, role: 'platform_admin' }, 'role'],
      [{ ...ok, role: 'janitor' }, 'role'],
      [{ ...ok, role: 5 }, 'role'],
      [{ role: 'student' }, 'unit_id'],
      [{ ...ok, unit_id: 0 }, 'unit_id'],
      [{ ...ok, unit_id: -3 }, 'unit_id'],
      [{ ...ok, unit_id: 'ТО-21' }, 'unit_id'],
      [{ ...ok, unit_id: 1.5 }, 'unit_id'],
      [{ ...ok, unit_id: unit.branch }, 'unit_id'],            // students belong to a study group
      [{ role: 'teacher', unit_id: unit.groupA }, 'unit_id'],  // teachers do not
      [{ role: 'curator', unit_id: unit.dept }, 'unit_id'],
      [{ ...ok, expires_in_s: 3599 }, 'expires_in_s'],
      [{ ...ok, expires_in_s: 31536001 }, 'expires_in_s'],
      [{ ...ok, expires_in_s: '3600' }, 'expires_in_s'],
      [{ ...ok, max_uses: 0 }, 'max_uses'],
      [{ ...ok, max_uses: 10001 }, 'max_uses'],
      [{ ...ok, max_uses: true }, 'max_uses'],
      [{ ...ok, needs_approval: 'yes' }, 'needs_approval'],
      [{ ...ok, note: 'ж'.repeat(201) }, 'note'],
      [{ ...ok, note: 'две\nстроки' }, 'note'],
      [{ ...ok, note: 12 }, 'note'],
    ];
    const count = (await allLinks()).length;
    for (const [body, field] of cases) {
      const r = await post(admin, '/api/v1/invites', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    // limits are inclusive
    await mkLink(admin, { ...ok, note: 'ж'.repeat(200), max_uses: 10000, expires_in_s: 31536000 });
    await mkLink(admin, { ...ok, max_uses: 1, expires_in_s: 3600 });
    assert.equal((await allLinks()).length, count + 2);
  });

  test('an unknown unit is 404 on unit_id; an archived one is 409', async () => {
    let r = await post(admin, '/api/v1/invites', { role: 'student', unit_id: 999999 });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json.error.field, 'unit_id');
    const old = await mkUnit({ kind: 'study_group', parent_id: unit.branch, name: 'Выпуск 2019', code: 'ТО-19', enrolment_year: 2019 });
    r = await post(admin, `/api/v1/org/units/${old}/archive`);
    assert.equal(r.status, 200, r.text);
    r = await post(admin, '/api/v1/invites', { role: 'student', unit_id: old });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.field, 'unit_id');
  });

  test('unauthenticated 401, cookie without CSRF 403, non-JSON 415', async () => {
    const body = { role: 'student', unit_id: unit.groupA };
    const count = (await allLinks()).length;
    let r = await request(srv, 'POST', '/api/v1/invites', { json: body });
    assert.equal(r.status, 401);
    r = await admin.post('/api/v1/invites', body);
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'csrf_failed');
    r = await admin.request('POST', '/api/v1/invites', { body: 'role=student', csrf: true, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 415);
    assert.equal((await allLinks()).length, count);
  });

  test('the token never reaches the audit log', async () => {
    const inv = await mkLink(admin, { role: 'teacher', unit_id: unit.branch, note: 'аудит' });
    const r = await admin.get('/api/v1/audit?action=invite.create');
    assert.equal(r.status, 200, r.text);
    const entry = r.json.entries.find((e) => e.target === `invite:${inv.id}`);
    assert.ok(entry, 'invite.create is audited');
    assert.equal(entry.after.role, 'teacher');
    assert.equal(entry.after.note, 'аудит');
    assert.ok(!r.text.includes(inv.token), 'the token is not in the audit log');
  });
});

describe('GET /api/v1/invites', () => {
  test('each user sees exactly the links they manage, with the token shown again', async () => {
    const a = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA, note: 'list-a' });
    const all = await allLinks();
    const again = all.find((i) => i.id === a.id);
    assert.equal(again.token, a.token);
    assert.equal(again.url, a.url);
    assert.ok(all.some((i) => i.role === 'teacher'));
    assert.ok(all.some((i) => i.unit.id === unit.groupB));

    const expect = {
      curatorA: (i) => ['student', 'parent'].includes(i.role) && i.unit.id === unit.groupA,
      curatorB: (i) => ['student', 'parent'].includes(i.role) && i.unit.id === unit.groupB,
      teacher: (i) => i.role === 'parent' && i.unit.id === unit.groupA,  // groups in their branch
      administration: (i) => i.role === 'parent',
    };
    for (const [name, pred] of Object.entries(expect)) {
      const r = await who[name].get('/api/v1/invites');
      assert.equal(r.status, 200, r.text);
      const got = r.json.invites.map((i) => i.id).sort();
      const want = all.filter(pred).map((i) => i.id).sort();
      assert.ok(want.length > 0, name);
      assert.deepEqual(got, want, name);
    }
  });

  test('someone with nested grants sees each link once', async () => {
    // a teacher of the branch who is also the curator of a group in it
    const groupC = await mkUnit({ kind: 'study_group', parent_id: unit.branch, name: 'Сварщики', code: 'СВ-25', enrolment_year: 2025 });
    unit.groupC = groupC;
    const r0 = await post(admin, '/api/v1/people', { login: 'both@college.ru', name: 'Ткаченко Инна', password: PW, role: 'teacher', unit_id: unit.branch });
    assert.equal(r0.status, 201, r0.text);
    const r1 = await post(admin, `/api/v1/people/${r0.json.user.id}/roles`, { role: 'curator', unit_id: groupC });
    assert.equal(r1.status, 201, r1.text);
    const both = await loginAs(srv, 'both@college.ru', PW);
    await mkLink(admin, { role: 'student', unit_id: groupC });
    await mkLink(both, { role: 'parent', unit_id: groupC });
    const all = await allLinks();
    const r = await both.get('/api/v1/invites');
    assert.equal(r.status, 200);
    const got = r.json.invites.map((i) => i.id);
    assert.equal(new Set(got).size, got.length, 'no duplicates');
    assert.deepEqual(got, [...got].sort((a, b) => b - a), 'newest first');
    const want = all.filter((i) => (i.role === 'parent' && [unit.groupA, groupC].includes(i.unit.id))
      || (i.role === 'student' && i.unit.id === groupC)).map((i) => i.id);
    assert.deepEqual(got, want);
  });

  test('filters by unit (and below) and role', async () => {
    let r = await admin.get(`/api/v1/invites?unit_id=${unit.branch}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.invites.length > 0);
    assert.ok(r.json.invites.every((i) => [unit.branch, unit.dept, unit.groupA, unit.groupC].includes(i.unit.id)));
    assert.ok(r.json.invites.some((i) => i.unit.id === unit.groupA), 'groups under the branch are included');
    r = await admin.get(`/api/v1/invites?unit_id=${unit.groupA}&role=parent`);
    assert.ok(r.json.invites.length > 0);
    assert.ok(r.json.invites.every((i) => i.unit.id === unit.groupA && i.role === 'parent'));
    r = await who.curatorA.get(`/api/v1/invites?unit_id=${unit.groupB}`);
    assert.deepEqual(r.json.invites, []);
  });

  test('personal (imported) links are listed apart: personal=1', async () => {
    let r = await admin.get('/api/v1/invites?personal=1');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.invites, []);
    r = await admin.get('/api/v1/invites?personal=0');
    assert.deepEqual(r.json.invites.map((i) => i.id), (await allLinks()).map((i) => i.id));
    assert.ok(r.json.invites.every((i) => i.personal_name === undefined));
  });

  test('people who manage no links get 403; malformed filters 400; unauthenticated 401', async () => {
    for (const p of [who.student, who.staff]) {
      const r = await p.get('/api/v1/invites');
      assert.equal(r.status, 403, p.user.login);
    }
    for (const [q, field] of [['unit_id=abc', 'unit_id'], ['unit_id=0', 'unit_id'], ['unit_id=-1', 'unit_id'], ['role=janitor', 'role'], ['role=platform_admin', 'role'], ['personal=2', 'personal'], ['personal=yes', 'personal']]) {
      const r = await admin.get(`/api/v1/invites?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.field, field, q);
    }
    const r = await request(srv, 'GET', '/api/v1/invites');
    assert.equal(r.status, 401);
  });
});

describe('POST /api/v1/invites/:id/revoke', () => {
  test('a curator revokes their own group\'s link: 204, shown revoked, no longer opens', async () => {
    const inv = await mkLink(who.curatorA, { role: 'student', unit_id: unit.groupA });
    let r = await post(who.curatorA, `/api/v1/invites/${inv.id}/revoke`);
    assert.equal(r.status, 204, r.text);
    const listed = (await allLinks()).find((i) => i.id === inv.id);
    assert.equal(listed.revoked, true);
    assert.equal(listed.state, 'revoked');
    r = await request(srv, 'GET', `/api/v1/join/${inv.token}`);
    assert.equal(r.status, 410);
    assert.equal(r.json.error.field, 'revoked');
    // revoking again changes nothing and still succeeds
    r = await post(admin, `/api/v1/invites/${inv.id}/revoke`);
    assert.equal(r.status, 204);
    const audit = await admin.get('/api/v1/audit?action=invite.revoke');
    assert.equal(audit.json.entries.filter((e) => e.target === `invite:${inv.id}`).length, 1);
  });

  test('those who do not manage the link get 403 and it stays live', async () => {
    const teacherLink = await mkLink(admin, { role: 'teacher', unit_id: unit.branch });
    const groupB = await mkLink(who.curatorB, { role: 'student', unit_id: unit.groupB });
    const refused = [
      [who.curatorA, teacherLink], [who.curatorA, groupB], [who.teacher, groupB],
      [who.teacher, teacherLink], [who.student, groupB], [who.administration, teacherLink],
    ];
    for (const [p, inv] of refused) {
      const r = await post(p, `/api/v1/invites/${inv.id}/revoke`);
      assert.equal(r.status, 403, `${p.user.login} → ${inv.id}`);
    }
    const all = await allLinks();
    for (const inv of [teacherLink, groupB]) assert.equal(all.find((i) => i.id === inv.id).revoked, false);
    const r = await request(srv, 'GET', `/api/v1/join/${groupB.token}`);
    assert.equal(r.status, 200);
  });

  test('bad or unknown ids, and no session', async () => {
    let r = await post(admin, '/api/v1/invites/abc/revoke');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'id');
    r = await post(admin, '/api/v1/invites/999999/revoke');
    assert.equal(r.status, 404);
    r = await request(srv, 'POST', '/api/v1/invites/1/revoke');
    assert.equal(r.status, 401);
  });
});

describe('QR codes', () => {
  function pngInfo(buf) {
    assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(buf.toString('latin1', 12, 16), 'IHDR');
    const width = buf.readUInt32BE(16);
    const height = buf.readUInt32BE(20);
    const idat = [];
    for (let off = 8; off < buf.length;) {
      const len = buf.readUInt32BE(off);
      const type = buf.toString('latin1', off + 4, off + 8);
      if (type === 'IDAT') idat.push(buf.subarray(off + 8, off + 8 + len));
      off += 12 + len;
    }
    return { width, height, bitDepth: buf[24], colorType: buf[25], raw: inflateSync(Buffer.concat(idat)) };
  }

  test('PNG: a valid image of 8 px modules with a 4-module quiet zone, served inline', async () => {
    const inv = await mkLink(who.curatorA, { role: 'parent', unit_id: unit.groupA });
    const r = await who.curatorA.get(`/api/v1/invites/${inv.id}/qr.png`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'image/png');
    assert.equal(r.headers['content-disposition'], `inline; filename="invite-${inv.id}.png"`);
    const png = pngInfo(r.body);
    assert.equal(png.width, png.height);
    assert.equal(png.width % 8, 0);
    const modules = png.width / 8 - 8;
    assert.ok(modules >= 21 && (modules - 17) % 4 === 0, `${modules} modules`);
    assert.equal(png.bitDepth, 1);
    assert.equal(png.colorType, 0);
    const stride = 1 + Math.ceil(png.width / 8);
    assert.equal(png.raw.length, stride * png.height);
    // the quiet zone is white; the top-left finder pattern starts black right after it
    const pixel = (x, y) => (png.raw[y * stride + 1 + (x >> 3)] >> (7 - (x & 7))) & 1;
    assert.equal(pixel(0, 0), 1);
    assert.equal(pixel(31, 31), 1);
    assert.equal(pixel(32, 32), 0);
  });

  test('SVG: one path of dark modules in a square viewBox', async () => {
    const inv = await mkLink(admin, { role: 'teacher', unit_id: unit.branch });
    const r = await admin.get(`/api/v1/invites/${inv.id}/qr.svg`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'image/svg+xml');
    assert.equal(r.headers['content-disposition'], `inline; filename="invite-${inv.id}.svg"`);
    const m = r.text.match(/viewBox="0 0 (\d+) (\d+)"/);
    assert.ok(m);
    assert.equal(m[1], m[2]);
    assert.ok(r.text.trimEnd().endsWith('</svg>'));
    assert.equal(r.text.match(/<path /g).length, 1);
    const runs = [...r.text.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)];
    assert.ok(runs.length > 20);
    const side = Number(m[1]);
    for (const [, x, y, w] of runs) {
      assert.ok(Number(x) >= 4 && Number(y) >= 4 && Number(x) + Number(w) <= side - 4 && Number(y) < side - 4);
    }
  });

  test('only those who manage the link get its QR code', async () => {
    const teacherLink = await mkLink(admin, { role: 'teacher', unit_id: unit.branch });
    for (const p of [who.curatorA, who.teacher, who.student]) {
      for (const fmt of ['png', 'svg']) {
        const r = await p.get(`/api/v1/invites/${teacherLink.id}/qr.${fmt}`);
        assert.equal(r.status, 403, `${p.user.login} ${fmt}`);
        assert.ok(!r.text.includes(teacherLink.token));
      }
    }
    let r = await request(srv, 'GET', `/api/v1/invites/${teacherLink.id}/qr.png`);
    assert.equal(r.status, 401);
    r = await admin.get('/api/v1/invites/999999/qr.svg');
    assert.equal(r.status, 404);
    r = await admin.get('/api/v1/invites/x/qr.png');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'id');
  });
});
