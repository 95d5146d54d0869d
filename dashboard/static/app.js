// taonet dashboard: reads the node API (proxied under /api/v1) and, under a
// localnet, /api/localnet/*. Live: the block stream (server-sent events)
// triggers a refresh of the chain panels; localnet panels poll.
"use strict";

const RAO = 1e9;
const U16 = 65535;
const MAX_POINTS = 400;
const PALETTE = ["#3b5bdb", "#e8590c", "#2f9e44", "#c2255c", "#7048e8", "#0c8599", "#f08c00", "#5c940d",
  "#d6336c", "#1971c2", "#9c36b5", "#087f5b", "#e67700", "#495057", "#a61e4d", "#364fc7"];

const st = {
  subnets: [], selected: null, mg: {}, hist: {}, charts: {}, sort: { key: "uid", dir: 1 },
  names: {}, busy: false, again: false, lastBlockAt: 0, blockTimes: [], local: true,
};

const $ = (s) => document.querySelector(s);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
};
const fmt = (x, d = 4) => (x == null || isNaN(x) ? "–" : Number(x).toFixed(d));
const tao = (rao, d = 3) => (rao / RAO).toLocaleString(undefined, { maximumFractionDigits: d, minimumFractionDigits: Math.min(d, 2) });
const short = (a) => (a && a.length > 14 ? a.slice(0, 6) + "…" + a.slice(-4) : a || "");

async function api(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

// ---- chain panels ----

async function refreshChain() {
  if (st.busy) { st.again = true; return; }
  st.busy = true;
  try {
    const [status, subnets, iss] = await Promise.all([api("/api/v1/status"), api("/api/v1/subnets"), api("/api/v1/issuance")]);
    $("#chain-id").textContent = status.chain_id || "";
    setHeight(status.height || status.latest_height);
    $("#issuance").textContent = tao(iss.total_issuance, 2) + " τ";
    st.subnets = subnets || [];
    if (st.selected == null && st.subnets.length) st.selected = st.subnets[0].netuid;
    const mgs = await Promise.all(st.subnets.map((s) => api(`/api/v1/subnets/${s.netuid}/metagraph`)));
    mgs.forEach((mg) => { st.mg[mg.netuid] = mg; record(mg); });
    renderSubnets();
    renderMetagraph();
    renderCharts();
  } catch (e) {
    console.warn(e);
  } finally {
    st.busy = false;
    if (st.again) { st.again = false; setTimeout(refreshChain, 50); }
  }
}

function setHeight(h) {
  if (h == null) return;
  $("#height").textContent = Number(h).toLocaleString();
  document.body.dataset.height = h;
}

// record appends a metagraph sample to the subnet's history: a point where
// something changed plus a trailing point at the newest block (stepped lines).
function record(mg) {
  const p = mg.pool;
  const pool = p ? { price: p.price / RAO, moving_price: p.moving_price / RAO, tao_in_emission: p.tao_in_emission / RAO } : null;
  pushSample(mg.netuid, mg.block, mg.incentive.map((v) => v / U16), mg.emission.map((v) => v / RAO), agreement(mg), pool);
}

// pushSample adds a point; pool is the dTAO pool sample (null on classic chains).
function pushSample(netuid, block, inc, emi, agree, pool) {
  const h = st.hist[netuid] || (st.hist[netuid] = { x: [], inc: [], emi: [], agree: [], pool: [] });
  const k = h.x.length;
  if (k && h.x[k - 1] >= block) return;
  pool = pool || null;
  const same = (i) => JSON.stringify([h.inc[i], h.emi[i], h.agree[i], h.pool[i]]) === JSON.stringify([inc, emi, agree, pool]);
  if (k >= 2 && same(k - 1) && same(k - 2)) { h.x[k - 1] = block; return; }
  h.x.push(block); h.inc.push(inc); h.emi.push(emi); h.agree.push(agree); h.pool.push(pool);
  if (h.x.length > MAX_POINTS) for (const key of ["x", "inc", "emi", "agree", "pool"]) h[key].shift();
}

// loadHistory seeds the charts with the samples localnet kept since it started.
async function loadHistory() {
  try {
    const all = await api("/api/localnet/history");
    for (const [netuid, samples] of Object.entries(all)) {
      for (const s of samples || []) pushSample(Number(netuid), s.block, s.incentive, s.emission, s.agreement, s.pool);
    }
  } catch (e) { /* not a localnet: charts start now */ }
}

// agreement is the mean pairwise cosine similarity of the weight rows of
// validators (uids with a permit that set weights); null with fewer than two.
function agreement(mg) {
  const rows = [];
  (mg.weights || []).forEach((row, uid) => {
    if (row && row.length && mg.validator_permit[uid]) {
      const v = new Float64Array(mg.n);
      for (const [u, w] of row) if (u < mg.n) v[u] = w;
      rows.push(v);
    }
  });
  if (rows.length < 2) return null;
  let sum = 0, cnt = 0;
  for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) {
    let d = 0, a = 0, b = 0;
    for (let k = 0; k < mg.n; k++) { d += rows[i][k] * rows[j][k]; a += rows[i][k] ** 2; b += rows[j][k] ** 2; }
    sum += a && b ? d / Math.sqrt(a * b) : 0; cnt++;
  }
  return sum / cnt;
}

function label(netuid) {
  const l = st.localSubnets || {};
  for (const [name, id] of Object.entries(l)) if (id === netuid) return name;
  return "subnet";
}

const HP_MAIN = [["tempo", "tempo"], ["immunity_period", "immunity"], ["kappa", "kappa", U16], ["rho", "rho"],
  ["max_validators", "max validators"], ["weights_rate_limit", "weights rate limit"], ["activity_cutoff", "activity cutoff"],
  ["bonds_moving_avg", "bonds moving avg"]];

function renderSubnets() {
  const box = $("#subnets");
  box.replaceChildren();
  for (const s of st.subnets) {
    const mg = st.mg[s.netuid];
    const hp = (mg && mg.hyperparams) || {};
    const kv = el("div", { class: "kv" });
    const add = (k, v) => kv.append(el("span", { text: k }), el("span", { text: v }));
    add("neurons", `${s.n} / ${s.max_n}`);
    add("burn", tao(s.burn) + " τ");
    add("last epoch", s.last_epoch_block);
    add("next epoch", s.next_epoch_block);
    if (s.pool) {
      add("price", fmt(s.pool.price / RAO, 6) + " τ/α");
      add("pool", `${tao(s.pool.tao_in)} τ · ${tao(s.pool.alpha_in)} α`);
      add("α outstanding", tao(s.pool.alpha_out) + " α");
      add("τ injected / block", tao(s.pool.tao_in_emission) + " τ");
    } else {
      add("pending emission", tao(s.pending_emission) + " τ");
    }
    add("owner", short(s.owner_hotkey));
    const more = el("div", { class: "kv" });
    for (const [k, name, div] of HP_MAIN) {
      if (hp[k] === undefined) continue;
      more.append(el("span", { text: name }), el("span", { text: div ? fmt(hp[k] / div, 3) : String(hp[k]) }));
    }
    for (const [k, v] of Object.entries(hp)) {
      if (HP_MAIN.some((x) => x[0] === k)) continue;
      more.append(el("span", { text: k.replaceAll("_", " ") }), el("span", { text: String(v) }));
    }
    const det = el("details", {}, el("summary", { text: "hyperparameters" }), more);
    const card = el("div", { class: "card" + (s.netuid === st.selected ? " active" : ""), "data-netuid": s.netuid },
      el("div", { class: "title", text: `netuid ${s.netuid} · ${label(s.netuid)}` }), kv, det);
    card.addEventListener("click", (e) => { if (e.target.closest("details")) return; select(s.netuid); });
    box.append(card);
  }
  const tabs = $("#subnet-tabs");
  tabs.replaceChildren(...st.subnets.map((s) => {
    const b = el("button", { class: s.netuid === st.selected ? "active" : "", text: `${s.netuid} · ${label(s.netuid)}` });
    b.onclick = () => select(s.netuid);
    return b;
  }));
}

function select(netuid) {
  st.selected = netuid;
  for (const k of Object.keys(st.charts)) { st.charts[k].destroy(); delete st.charts[k]; }
  renderSubnets(); renderMetagraph(); renderCharts();
}

function rowsOf(mg) {
  return mg.uids.map((uid, i) => {
    const ax = mg.axons[i] || {};
    const name = st.names[mg.hotkeys[i]];
    const isVal = mg.validator_permit[i] && mg.weights[i] && mg.weights[i].length > 0;
    return {
      uid, hotkey: mg.hotkeys[i], role: name ? name.name : (isVal ? "validator" : "miner"), roleTitle: name ? name.role : "",
      stake: mg.stake[i] / RAO, incentive: mg.incentive[i] / U16, dividends: mg.dividends[i] / U16,
      emission: mg.emission[i] / RAO, consensus: mg.consensus[i] / U16, vtrust: mg.validator_trust[i] / U16,
      permit: mg.validator_permit[i] ? 1 : 0, last_update: mg.last_update[i],
      axon: ax.port ? `${ax.ip}:${ax.port}` : "",
    };
  });
}

function renderMetagraph() {
  const mg = st.mg[st.selected];
  if (!mg) return;
  $("#mg-title").textContent = `netuid ${mg.netuid} · ${label(mg.netuid)} · block ${mg.block} · ${mg.n} neurons`;
  const rows = rowsOf(mg);
  const { key, dir } = st.sort;
  rows.sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : a.uid - b.uid));
  const maxInc = Math.max(1e-9, ...rows.map((r) => r.incentive));
  const tb = $("#metagraph tbody");
  tb.replaceChildren(...rows.map((r) => {
    const bar = el("span", { class: "bar", style: `width:${Math.round(40 * r.incentive / maxInc)}px` });
    const tr = el("tr", { "data-uid": r.uid, "data-incentive": r.incentive },
      el("td", { class: "num", text: r.uid }),
      el("td", { title: r.hotkey, text: short(r.hotkey) }),
      el("td", { title: r.roleTitle }, el("span", { class: "tag" + (r.permit ? " v" : ""), text: r.role })),
      el("td", { class: "num", text: tao(r.stake * RAO, 2) }),
      el("td", { class: "num" }, bar, fmt(r.incentive)),
      el("td", { class: "num", text: fmt(r.dividends) }),
      el("td", { class: "num", text: fmt(r.emission, 4) }),
      el("td", { class: "num", text: fmt(r.consensus) }),
      el("td", { class: "num", text: fmt(r.vtrust) }),
      el("td", { text: r.permit ? "✓" : "" }),
      el("td", { class: "num", text: r.last_update }),
      el("td", { text: r.axon }));
    return tr;
  }));
  $("#metagraph").dataset.rows = rows.length;
  document.querySelectorAll("#metagraph th").forEach((th) => {
    th.classList.toggle("asc", th.dataset.key === key && dir > 0);
    th.classList.toggle("desc", th.dataset.key === key && dir < 0);
  });
  if (rows.length) document.body.dataset.ready = "1";
}

function setupSort() {
  document.querySelectorAll("#metagraph th").forEach((th) => th.addEventListener("click", () => {
    const k = th.dataset.key;
    st.sort = st.sort.key === k ? { key: k, dir: -st.sort.dir } : { key: k, dir: th.dataset.type === "num" ? -1 : 1 };
    renderMetagraph();
  }));
}

// ---- charts ----

function chartSize(div) { return { width: Math.max(260, div.clientWidth || 400), height: 200 }; }

function drawChart(id, x, series, yLabel, opts = {}) {
  const div = document.getElementById(id);
  const key = id + ":" + series.map((s) => s.label).join(",");
  let c = st.charts[id];
  if (c && c._key !== key) { c.destroy(); c = null; }
  const data = [x, ...series.map((s) => s.values)];
  if (!c) {
    div.replaceChildren();
    c = new uPlot({
      ...chartSize(div),
      legend: { show: series.length <= 16, live: false },
      scales: { x: { time: false }, y: opts.y || {} },
      axes: [{ label: "block", size: 36, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] },
        { label: yLabel, size: 52 }],
      series: [{ label: "block" }, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.8,
        spanGaps: false, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } }))],
    }, data, div);
    c._key = key;
    st.charts[id] = c;
  } else {
    c.setData(data);
  }
  div.dataset.points = x.length;
  div.dataset.series = series.length;
}

function renderCharts() {
  const h = st.hist[st.selected];
  if (!h || !h.x.length || typeof uPlot === "undefined") return;
  const n = Math.max(...h.inc.map((r) => r.length));
  const hk = (st.mg[st.selected] || {}).hotkeys || [];
  const name = (uid) => (st.names[hk[uid]] ? `${uid} ${st.names[hk[uid]].name}` : "uid " + uid);
  const mk = (arr) => Array.from({ length: n }, (_, uid) => ({ label: name(uid), values: arr.map((r) => (uid < r.length ? r[uid] : null)) }));
  drawChart("chart-incentive", h.x, mk(h.inc), "incentive");
  drawChart("chart-emission", h.x, mk(h.emi), "τ");
  drawChart("chart-agreement", h.x, [{ label: "agreement", values: h.agree }], "cosine", { y: { range: [0, 1.05] } });
  const pv = (k) => h.pool.map((p) => (p ? p[k] : null));
  document.getElementById("pool-charts").hidden = !h.pool.some((p) => p);
  if (h.pool.some((p) => p)) {
    drawChart("chart-price", h.x, [{ label: "price", values: pv("price") }, { label: "moving price", values: pv("moving_price") }], "τ/α");
    drawChart("chart-flow", h.x, [{ label: "τ injected", values: pv("tao_in_emission") }], "τ / block");
  }
  const nVal = (st.mg[st.selected].validator_permit || []).filter((p, uid) => p && st.mg[st.selected].weights[uid].length).length;
  let note = document.getElementById("agree-note");
  if (!note) { note = el("div", { id: "agree-note", class: "muted small" }); document.getElementById("chart-agreement").after(note); }
  note.textContent = h.agree.some((a) => a != null) ? "" : `needs two or more validators setting weights (this subnet has ${nVal})`;
}

// ---- localnet panels ----

async function refreshLocal() {
  if (!st.local) return;
  let info;
  try { info = await api("/api/localnet/info"); } catch (e) {
    st.local = false;
    document.querySelectorAll("section.local").forEach((s) => { s.hidden = true; });
    $("main").append(el("section", { class: "note muted" }, "Subnet panels (finetuning leaderboard, prompting challenges, dataset feed, processes) " +
      "appear when this dashboard is served by taonet localnet."));
    return;
  }
  st.localSubnets = info.subnets;
  st.names = {};
  for (const [hk, role] of Object.entries(info.owners || {})) st.names[hk] = { name: "owner", role };
  for (const p of info.processes || []) if (p.hotkey) st.names[p.hotkey] = p;
  renderProcs(info);
  const [pr, ft, fd] = await Promise.all([api("/api/localnet/prompting"), api("/api/localnet/finetuning"), api("/api/localnet/feed")]);
  renderPrompting(pr);
  renderFinetuning(ft);
  renderFeed(fd);
}

function renderProcs(info) {
  $("#notstarted").textContent = (info.not_started || []).map((s) => "Not started: " + s).join(" · ");
  const link = (u) => (u ? el("a", { href: u, target: "_blank", text: u.replace(/^http:\/\//, "") }) : "");
  $("#procs tbody").replaceChildren(...(info.processes || []).map((p) => el("tr", {},
    el("td", { text: p.name }), el("td", { text: p.role }), el("td", { class: "num", text: p.netuid || "" }),
    el("td", { title: p.hotkey || "", text: short(p.hotkey) }), el("td", {}, link(p.url)), el("td", {}, link(p.metrics)))));
}

function renderFinetuning(ft) {
  const vals = Object.keys(ft.latest || {}).sort();
  const tb = $("#leaderboard tbody");
  if (!vals.length) {
    $("#ft-meta").textContent = "";
    $("#ft-agree").textContent = "";
    tb.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "empty", text: "No finetuning validator step yet (one runs every step interval once models are committed)." })));
    return;
  }
  const first = ft.latest[vals[0]];
  $("#ft-meta").textContent = `· netuid ${ft.netuid} · ${vals[0]} · seed block ${first.seed_block} · ${first.samples} samples · competition ${first.competition}`;
  renderAgreement(ft.agreement);
  const models = [...(first.models || [])].sort((a, b) => b.weight - a.weight);
  const maxW = Math.max(1e-9, ...models.map((m) => m.weight));
  tb.replaceChildren(...models.map((m) => el("tr", { "data-uid": m.uid },
    el("td", { class: "num", text: m.uid }),
    el("td", { title: m.commitment, text: m.commitment.split(":").slice(0, 3).map((s, i) => (i === 2 ? s.slice(0, 8) : s)).join(":") }),
    el("td", { class: "num", text: m.block }),
    el("td", { class: "num", text: fmt(m.mean_loss) }),
    el("td", { class: "num", text: fmt(m.win_rate, 3) }),
    el("td", { class: "num" }, el("span", { class: "bar", style: `width:${Math.round(50 * m.weight / maxW)}px` }), fmt(m.weight)))));
  if (first.rejected && first.rejected.length) tb.append(el("tr", {}, el("td", { colspan: 6, class: "wrap muted", text: "rejected: " + first.rejected.join("; ") })));
}

function renderPrompting(pr) {
  const box = $("#challenges");
  const steps = (pr.steps || []).slice(0, 5);
  $("#pr-meta").textContent = pr.netuid ? `· netuid ${pr.netuid}` : "";
  if (!steps.length) { box.replaceChildren(el("div", { class: "empty", text: "No prompting step yet." })); return; }
  box.replaceChildren(...steps.map((s) => {
    const miners = [...s.miners].sort((a, b) => b.reward - a.reward);
    const t = el("table", {}, el("thead", {}, el("tr", {}, ...["uid", "miner", "status", "latency", "reward", "score (avg)", "answer"].map((h) => el("th", { text: h })))),
      el("tbody", {}, ...miners.map((m) => el("tr", {},
        el("td", { class: "num", text: m.uid }),
        el("td", { text: (st.names[m.hotkey] && st.names[m.hotkey].name) || short(m.hotkey) }),
        el("td", { class: "num", text: m.status }), el("td", { class: "num", text: m.latency_ms + " ms" }),
        el("td", { class: "num", text: fmt(m.reward, 3) }), el("td", { class: "num", text: fmt(m.score, 3) }),
        el("td", { class: "wrap", text: m.completion.slice(0, 160) })))));
    return el("div", { class: "challenge" },
      el("div", {}, el("span", { class: "tag", text: s.task }), " ",
        el("span", { class: "muted small", text: `${s.validator} · step ${s.step} · block ${s.block} · ${s.wall_ms} ms${s.turn ? " · follow-up turn " + s.turn : ""}${s.weights_set ? " · weights set" : ""}` })),
      el("div", { class: "q", text: s.query }),
      el("div", { class: "ref", text: "reference: " + s.reference }),
      ...(s.citation ? [el("div", { class: "muted small citation", text: "source: " + s.citation })] : []), t);
  }));
}

// citeText renders a feed record's citation: title § section — URL or path (revision).
function citeText(c) {
  let s = c.title + (c.section ? " § " + c.section : "");
  const where = c.url || c.path;
  if (where) s += " — " + where;
  if (c.revision) s += " (" + c.revision + ")";
  return s;
}

function renderFeed(fd) {
  const recs = fd.records || [];
  const tb = $("#feed tbody");
  if (!recs.length) { tb.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "empty", text: "No feed records yet." }))); return; }
  tb.replaceChildren(...recs.map((r) => el("tr", {},
    el("td", { class: "num", text: r.block }), el("td", {}, el("span", { class: "tag", text: r.task })),
    el("td", { class: "wrap", text: r.challenge.slice(0, 200) }),
    el("td", { class: "wrap" }, r.reference.slice(0, 120), ...(r.citation ? [el("div", { class: "muted small citation", text: "source: " + citeText(r.citation) })] : [])),
    el("td", { class: "num", text: fmt(r.reward, 3) }), el("td", { title: r.validator, text: short(r.validator) }))));
}

// ---- live stream ----

// ?blocks=N closes the stream after N blocks (then the 10 s poll goes on):
// headless captures (virtual time) wait while a stream is open.
const params = new URLSearchParams(location.search);
const closeAfter = Number(params.get("blocks") || 0);
if (params.get("netuid")) st.selected = Number(params.get("netuid"));

function connect() {
  const es = new EventSource("/api/v1/blocks/stream");
  let seen = 0;
  es.onopen = () => { $("#conn").className = "dot on"; $("#conn-text").textContent = "live"; };
  es.onerror = () => { $("#conn").className = "dot off"; $("#conn-text").textContent = "reconnecting…"; };
  es.addEventListener("block", (ev) => {
    const b = JSON.parse(ev.data);
    setHeight(b.height);
    const now = Date.parse(b.time);
    if (st.lastBlockAt && now > st.lastBlockAt) {
      st.blockTimes.push(now - st.lastBlockAt);
      if (st.blockTimes.length > 20) st.blockTimes.shift();
      const avg = st.blockTimes.reduce((a, c) => a + c, 0) / st.blockTimes.length;
      $("#blocktime").textContent = (avg / 1000).toFixed(2) + " s";
    }
    st.lastBlockAt = now;
    refreshChain();
    if (closeAfter && ++seen >= closeAfter) { es.close(); $("#conn-text").textContent = `stream closed after ${seen} blocks`; }
  });
}

window.addEventListener("resize", () => {
  for (const [id, c] of Object.entries(st.charts)) c.setSize(chartSize(document.getElementById(id)));
});

setupSort();
loadHistory().then(refreshLocal).finally(refreshChain);
connect();
setInterval(refreshLocal, 3000);
setInterval(refreshChain, 10000); // safety net if the stream is down

// renderAgreement shows every finetuning validator's weights at the newest
// seed block all of them stepped (computed by localnet, compared bit for
// bit): one tag per validator, green when it is in the largest group of
// identical weight vectors, with its window fill (seed blocks aggregated).
function renderAgreement(a) {
  const box = $("#ft-agree");
  if (!a || !(a.validators || []).length) { box.textContent = ""; return; }
  if (!a.seed_block) {
    box.replaceChildren(el("span", { class: "muted", text: `no seed block stepped by all ${a.validators.length} validators yet` }));
    return;
  }
  const main = new Set((a.groups || [])[0] || []);
  const head = el("span", { class: "tag " + (a.agree ? "ok" : "v"),
    text: a.agree ? `seed block ${a.seed_block}: all ${a.validators.length} validators set identical weights`
      : `seed block ${a.seed_block}: ${a.groups.length} different weight vectors among ${a.validators.length} validators` });
  const tags = a.validators.map((v) => el("span", { class: "tag " + (main.has(v) ? "ok" : "v"), "data-validator": v,
    title: `window: ${a.window[v]} seed blocks`, text: `${v} (${a.window[v]})` }));
  const warm = (a.warming || []).length ? el("span", { class: "muted small", text: ` window still filling: ${a.warming.join(", ")}` }) : "";
  box.replaceChildren(head, " ", ...tags, warm);
}
