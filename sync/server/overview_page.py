"""The county overview page (GET /overview): one static page that signs a staff member in and
draws what the staff API answers. Every value is put on the page as text (textContent), never as
markup: reasons and names were typed at a village desk."""

OVERVIEW_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>两险现金代收 — 县级总览</title>
<style>
body { font-family: "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; white-space: nowrap; }
td.wrap { white-space: normal; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.village { cursor: pointer; }
tr.village:hover { background: #f3f7ff; }
tr.warn td { background: #fff4e5; }
tr.total td { font-weight: bold; background: #f6f6f6; }
#error { color: #b71c1c; font-weight: bold; }
.hidden { display: none; }
</style>
</head>
<body>
<h1>城乡居民两险现金代收 — 县级总览</h1>
<p><a href="/">首页</a>　<a href="/doubts">疑点核查（推送、答复、抽查、年度报告）</a></p>
<form id="login">
  <label>用户名 <input id="name" autocomplete="username" required></label>
  <label>密码 <input id="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">登录</button>
</form>
<p id="error" role="alert"></p>
<p id="notice" role="status"></p>
<section id="overview" class="hidden">
  <p id="who"></p>
  <p><button id="logout" type="button" accesskey="q">退出登录（Alt+Q）</button></p>
  <details id="change"><summary accesskey="p">修改密码（Alt+P）</summary>
  <form id="password-form">
    <label>原密码 <input id="old-password" type="password" autocomplete="current-password" required></label>
    <label>新密码（至少8位） <input id="new-password" type="password" autocomplete="new-password" minlength="8" required></label>
    <button type="submit">确认修改</button>
  </form></details>
  <table id="villages">
    <thead><tr><th>乡镇代码</th><th>村代码</th><th>村名</th><th>设备</th><th>收据</th><th>实收（元）</th>
    <th>已日结</th><th>已解缴</th><th>已入库</th><th>日结未解缴</th><th>疑点</th><th>日志分叉</th><th>最后同步</th><th>程序版本</th></tr></thead>
    <tbody></tbody>
  </table>
  <p>点击一个村查看疑点数据和随机抽查（不少于10%）。</p>
</section>
<section id="village" class="hidden">
  <h2 id="village-title"></h2>
  <form id="reseed"><label>抽查种子 <input id="seed" maxlength="40"></label> <button type="submit">按此种子抽查</button></form>
  <div id="devices"></div>
</section>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const yuan = (fen) => (fen / 100).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}
function table(headers, rows, wrap) {
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const h of headers) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); }
  const body = t.createTBody();
  for (const r of rows) { const tr = body.insertRow(); r.forEach((v, i) => cell(tr, v, i === wrap ? "wrap" : "")); }
  return t;
}
async function api(path) {
  const token = sessionStorage.getItem("token");
  const answer = await fetch(path, {headers: {"Authorization": "Bearer " + token}});
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.message || ("服务器拒绝：" + answer.status));
  return body;
}
async function showOverview() {
  $("error").textContent = "";
  const rows = await api("/api/v1/staff/overview");
  $("login").classList.add("hidden");
  $("overview").classList.remove("hidden");
  $("who").textContent = "已登录：" + sessionStorage.getItem("who") + "，共 " + rows.length + " 个村";
  const body = $("villages").tBodies[0];
  body.replaceChildren();
  const sum = {receipts: 0, collected_fen: 0, settled_fen: 0, remitted_fen: 0, confirmed_fen: 0, flags: 0, conflicts: 0};
  for (const v of rows) {
    const tr = body.insertRow();
    tr.className = "village" + (v.flags || v.conflicts || v.refused ? " warn" : "");
    tr.dataset.code = v.code;
    for (const text of [v.township_code, v.code, v.name || "—", String(v.devices), String(v.receipts)]) cell(tr, text);
    for (const fen of [v.collected_fen, v.settled_fen, v.remitted_fen, v.confirmed_fen, v.settled_fen - v.remitted_fen])
      cell(tr, yuan(fen), "num");
    cell(tr, String(v.flags), "num").title = Object.entries(v.flag_codes).map(([k, n]) => k + " " + n).join("、");
    cell(tr, String(v.conflicts) + (v.refused ? "（拒收 " + v.refused + "）" : ""), "num");
    cell(tr, v.last_seen || "从未同步");
    cell(tr, Object.entries(v.versions).map(([d, ver]) => d.split("-").pop() + "号 " + ver).join("、") || "—");
    tr.addEventListener("click", () => showVillage(v.code, v.name, ""));
    for (const k of Object.keys(sum)) sum[k] += v[k];
  }
  const total = body.insertRow();
  total.className = "total";
  cell(total, "合计"); cell(total, ""); cell(total, ""); cell(total, ""); cell(total, String(sum.receipts));
  for (const fen of [sum.collected_fen, sum.settled_fen, sum.remitted_fen, sum.confirmed_fen, sum.settled_fen - sum.remitted_fen])
    cell(total, yuan(fen), "num");
  cell(total, String(sum.flags), "num"); cell(total, String(sum.conflicts), "num"); cell(total, ""); cell(total, "");
}
async function showVillage(code, name, seed) {
  try {
    const r = await api("/api/v1/staff/review/" + encodeURIComponent(code) + (seed ? "?seed=" + encodeURIComponent(seed) : ""));
    $("village").classList.remove("hidden");
    $("village").dataset.code = code;
    $("village").dataset.name = name;
    $("village-title").textContent = (name ? name + "（" + code + "）" : code) + "　审核日期 " + r.as_of;
    $("seed").value = r.seed;
    const box = $("devices");
    box.replaceChildren();
    if (!r.devices.length) { const p = document.createElement("p"); p.textContent = "该村尚无设备上传日志。"; box.appendChild(p); }
    for (const d of r.devices) {
      const h = document.createElement("h3");
      h.textContent = "设备 " + d.device_id + "：" + (d.first_day ? d.first_day + " 至 " + d.last_day : "尚无收据") +
        "，收据 " + d.receipts + " 张，实收 " + yuan(d.collected_fen) + " 元，已日结 " + yuan(d.settled_fen) +
        " 元，已解缴 " + yuan(d.remitted_fen) + " 元";
      box.appendChild(h);
      const fh = document.createElement("h4");
      fh.textContent = "疑点数据（" + d.flags.length + " 条）";
      box.appendChild(fh);
      box.appendChild(table(["类别", "日期", "说明"], d.flags.map((f) => [f.label, f.day, f.reason]), 2));
      const sh = document.createElement("h4");
      sh.textContent = "随机抽查（共 " + d.receipts + " 张，抽取 " + d.sample.length + " 张，种子 " + r.seed + "）";
      box.appendChild(sh);
      box.appendChild(table(["收据号", "收款日期", "缴费人", "金额（元）", "代收员", "状态", "疑点"],
        d.sample.map((s) => [s.number, s.day, s.payer_name, yuan(s.total_fen), s.agent, s.status, s.flags.join("、") || "—"])));
    }
    const flags = (await api("/api/v1/staff/flags")).filter((f) => f.village_code === code);
    const refused = (await api("/api/v1/staff/refusals")).filter((f) => f.village_code === code);
    const ch = document.createElement("h4");
    ch.textContent = "县级核对疑点（" + flags.length + " 条）";
    box.appendChild(ch);
    box.appendChild(table(["设备", "收据号", "说明"], flags.map((f) => [f.device_id, f.ref, f.reason]), 2));
    const rh = document.createElement("h4");
    rh.textContent = "被县里拒收的上传（" + refused.length + " 次）";
    box.appendChild(rh);
    box.appendChild(table(["设备", "第几条", "原因", "时间"],
      refused.map((f) => [f.device_id, f.seq === null ? "—" : String(f.seq), f.message, f.received_at]), 2));
  } catch (e) { $("error").textContent = e.message; }
}
$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("error").textContent = "";
  $("notice").textContent = "";
  try {
    const answer = await fetch("/api/v1/staff/login", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({name: $("name").value, password: $("password").value})});
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.message || "登录失败");
    sessionStorage.setItem("token", body.token);
    sessionStorage.setItem("who", $("name").value + (body.role === "township" ? "（乡镇 " + body.township_code + "）" : "（县级）"));
    await showOverview();
  } catch (e) { $("error").textContent = e.message; }
});
async function post(path, body) {
  const answer = await fetch(path, {method: "POST", body: JSON.stringify(body || {}),
    headers: {"Content-Type": "application/json", "Authorization": "Bearer " + sessionStorage.getItem("token")}});
  const data = await answer.json();
  if (!answer.ok) throw new Error(data.message || ("服务器拒绝：" + answer.status));
  return data;
}
$("logout").addEventListener("click", async () => {
  let said = "已退出登录";
  try { said = (await post("/api/v1/staff/logout")).message; } catch (e) { /* the session had ended already */ }
  sessionStorage.removeItem("token");
  sessionStorage.removeItem("who");
  for (const id of ["overview", "village"]) $(id).classList.add("hidden");
  $("login").classList.remove("hidden");
  $("password").value = "";
  $("error").textContent = "";
  $("notice").textContent = said;
});
$("password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("error").textContent = "";
  $("notice").textContent = "";
  try {
    const r = await post("/api/v1/staff/password", {old_password: $("old-password").value, new_password: $("new-password").value});
    $("old-password").value = "";
    $("new-password").value = "";
    $("notice").textContent = r.message;
  } catch (e) { $("error").textContent = e.message; }
});
$("reseed").addEventListener("submit", (event) => {
  event.preventDefault();
  showVillage($("village").dataset.code, $("village").dataset.name, $("seed").value.trim());
});
if (sessionStorage.getItem("token")) showOverview().catch((e) => { $("error").textContent = e.message; });
</script>
</body>
</html>
"""
