"""The county overview page (GET /overview): one static page that signs a staff member in and
draws what the staff API answers (signing in, calls and downloads are /static/staff.js's).
Every value is put on the page as text (textContent), never as markup: reasons and names were
typed at a village desk."""

from sync.server.staff_static import HEAD, login_form

OVERVIEW_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>两险现金代收 — 县级总览</title>
""" + HEAD + """
<style>
table { margin: 0.8em 0; }
label { display: inline; margin: 0; }
tr.village { cursor: pointer; }
tr.village:hover { background: #f3f7ff; }
tr.warn td { background: #fff4e5; }
tr.subtotal td { font-weight: bold; background: #eef3fa; }
#period label { margin-right: 0.8em; }
</style>
</head>
<body>
<h1>城乡居民两险现金代收 — 县级总览</h1>
<p><a href="/">首页</a>　<a href="/doubts">疑点核查（推送、答复、抽查、年度报告）</a>　<a href="/monthly">月度统计</a></p>
""" + login_form() + """<section id="overview" class="hidden">
  <p id="who"></p>
  <p><button id="logout" type="button" accesskey="q">退出登录（Alt+Q）</button></p>
  <details id="change"><summary accesskey="p">修改密码（Alt+P）</summary>
  <form id="password-form">
    <label>原密码 <input id="old-password" type="password" autocomplete="current-password" required></label>
    <label>新密码（至少8位） <input id="new-password" type="password" autocomplete="new-password" minlength="8" required></label>
    <button type="submit">确认修改</button>
  </form></details>
  <form id="period">
    <label>缴费年度 <input id="year" type="number" min="2000" max="2100" style="width:5em"></label>
    <label>统计期间 <input id="from" type="date"> 至 <input id="to" type="date"></label>
    <button type="submit">刷新</button>
    <button id="export-xlsx" type="button">导出 Excel</button>
    <button id="export-pdf" type="button">导出 PDF 通报</button>
  </form>
  <p id="period-said"></p>
  <h2>资金与上报</h2>
  <table id="villages">
    <thead><tr><th>乡镇</th><th>村代码</th><th>村名</th><th>设备</th><th>收据</th><th>实收（元）</th>
    <th>已日结</th><th>已解缴</th><th>已入库</th><th>日结未解缴</th><th>疑点</th><th>日志分叉</th><th>最后同步（北京时间）</th>
    <th>本周上报</th><th>程序版本</th><th>手头现金（未日结＋未解缴）</th><th>提示</th></tr></thead>
    <tbody></tbody>
  </table>
  <h2>征缴进度</h2>
  <table id="progress">
    <thead><tr><th rowspan="2">乡镇</th><th rowspan="2">村名</th><th colspan="8">城乡居民基本养老保险</th>
    <th colspan="8">城乡居民基本医疗保险</th><th colspan="2">养老续费率</th></tr>
    <tr><th>应缴</th><th>已缴</th><th>现金/其他/代扣</th><th>政府代缴</th><th>未缴</th><th>本期已缴</th><th>完成率</th><th>参保率（目标）</th>
    <th>应缴</th><th>已缴</th><th>现金/其他/代扣</th><th>政府代缴</th><th>未缴</th><th>本期已缴</th><th>完成率</th><th>参保率（目标）</th>
    <th>16–44岁</th><th>45–59岁</th></tr></thead>
    <tbody></tbody>
  </table>
  <p class="wrap">完成率＝已缴÷（应缴−政府代缴）；参保率＝（已缴＋政府代缴）÷应缴；续费率＝上年已缴者中本年已缴的比例（养老，按1月1日周岁分段）。
  现金按收据日期、其他渠道按缴费日期计到统计期间的最后一天；本期已缴为期间内缴费的人次。本周上报：每台收款电脑今天或昨天同步、且没有超过1天未日结的现金为“按时”。</p>
  <p>点击一个村查看疑点数据和随机抽查（不少于10%）。</p>
</section>
<section id="village" class="hidden">
  <h2 id="village-title"></h2>
  <form id="reseed"><label>抽查种子 <input id="seed" maxlength="40"></label> <button type="submit">按此种子抽查</button></form>
  <div id="devices"></div>
</section>
<script>
"use strict";
const {yuan, pct, localTime} = staff;
const api = (path) => staff.call(path);
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
function periodQuery() {
  const q = new URLSearchParams();
  for (const id of ["year", "from", "to"]) if ($(id).value) q.set(id, $(id).value);
  return q.toString();
}
function reportText(kind, r) {
  if (kind === "village") return r.reporting.status;
  return "按时" + r.reporting["按时"] + " 迟报" + r.reporting["迟报"] + " 未报" + r.reporting["未报"];
}
function moneyRow(body, kind, r, at) {
  const tr = body.insertRow(at === undefined ? -1 : at);
  const label = kind === "village" ? [r.township_name || r.township_code, r.code, r.name || "—"]
    : kind === "township" ? [r.name || r.code, r.code, "乡镇小计"] : ["合计", "", ""];
  tr.className = kind === "village" ? "village" + (r.flags || r.conflicts || r.refused ? " warn" : "")
    : kind === "township" ? "subtotal" : "total";
  for (const text of label) cell(tr, text);
  cell(tr, kind === "village" ? String(r.devices) : ""); cell(tr, String(r.receipts), "num");
  for (const fen of [r.collected_fen, r.settled_fen, r.remitted_fen, r.confirmed_fen, r.settled_fen - r.remitted_fen])
    cell(tr, yuan(fen), "num");
  const flags = cell(tr, String(r.flags), "num");
  if (kind === "village") flags.title = Object.entries(r.flag_codes).map(([k, n]) => k + " " + n).join("、");
  cell(tr, String(r.conflicts) + (r.refused ? "（拒收 " + r.refused + "）" : ""), "num");
  cell(tr, kind === "village" ? (localTime(r.last_seen) || "从未同步") : "");
  cell(tr, reportText(kind, r)).title = kind === "village" ? r.reporting.reason : "";
  cell(tr, kind === "village" ? (Object.entries(r.versions).map(([d, ver]) => d.split("-").pop() + "号 " + ver).join("、") || "—") : "");
  const open = kind === "village" ? r.open_state : null;
  cell(tr, open ? yuan(open.cash_on_hand_fen) : "", "num");
  cell(tr, open ? open.flags.map((f) => f.reason).join("；") : "", "wrap");
  if (open && open.flags.length) tr.classList.add("warn");
  if (kind === "village") {
    tr.dataset.code = r.code;
    tr.addEventListener("click", () => showVillage(r.code, r.name, ""));
  }
  if (kind === "township") tr.dataset.township = r.code;
  if (kind === "township" && !listed) {
    tr.classList.add("village");
    tr.title = "点击列出本乡镇各村";
    tr.addEventListener("click", () => openTownship(r.code).catch((e) => { $("error").textContent = e.message; }));
  }
}
function progressRow(body, kind, r, at) {
  const tr = body.insertRow(at === undefined ? -1 : at);
  tr.className = kind === "village" ? "" : kind === "township" ? "subtotal" : "total";
  if (kind === "village") tr.dataset.code = r.code;
  if (kind === "township") tr.dataset.township = r.code;
  cell(tr, kind === "village" ? (r.township_name || r.township_code) : kind === "township" ? (r.name || r.code) : "合计");
  cell(tr, kind === "village" ? (r.name || r.code) : kind === "township" ? "乡镇小计" : "");
  const pr = r.progress;
  for (const ins of ["pension", "medical"]) {
    const ln = pr.lines[ins];
    for (const n of [ln.due, ln.paid]) cell(tr, String(n), "num");
    cell(tr, ln.cash + "/" + ln.other + "/" + ln.bank, "num");
    for (const n of [ln.subsidised, ln.unpaid, ln.period_paid]) cell(tr, String(n), "num");
    cell(tr, pct(ln.completion), "num");
    const cov = cell(tr, pct(ln.coverage) + "（" + pr.targets[ins] + "%）", "num");
    if (ln.coverage !== null && ln.coverage * 100 < pr.targets[ins]) cov.classList.add("below");
  }
  for (const band of pr.renewal) {
    const td = cell(tr, band.rate === null ? "无上年数据" : pct(band.rate) + "（" + band.renewed + "/" + band.base + "）", "num");
    if (band.rate !== null && band.rate * 100 < band.target) td.classList.add("below");
    td.title = "目标 " + band.target + "%";
  }
}
function inOrder(view) {
  const out = [];
  for (const t of view.townships) {
    for (const v of view.villages) if (v.township_code === t.code) out.push(["village", v]);
    out.push(["township", t]);
  }
  out.push(["county", view.county]);
  return out;
}
let listed = true;  // false: a province, whose townships' villages are fetched when opened
async function openTownship(code) {
  const money = $("villages").tBodies[0], progress = $("progress").tBodies[0];
  const subtotal = (body) => [...body.rows].findIndex((tr) => tr.dataset.township === code);
  if (money.rows[subtotal(money)].dataset.opened) return;
  const view = await api("/api/v1/staff/progress?" + periodQuery() + "&villages=all&township=" + code);
  for (const v of view.villages) { moneyRow(money, "village", v, subtotal(money)); progressRow(progress, "village", v, subtotal(progress)); }
  money.rows[subtotal(money)].dataset.opened = "1";
  money.rows[subtotal(money)].title = "";
}
async function showOverview() {
  $("error").textContent = "";
  const view = await api("/api/v1/staff/progress?" + periodQuery());
  listed = view.villages_listed;
  $("login").classList.add("hidden");
  $("overview").classList.remove("hidden");
  $("year").value = view.year;
  $("from").value = view.start || "";
  $("to").value = view.end || "";
  $("who").textContent = "已登录：" + sessionStorage.getItem("who") + "，共 " + view.village_count + " 个村" +
    (listed ? "" : "（村数较多，先列出各乡镇小计：点击一个乡镇列出它的各村）");
  $("period-said").textContent = view.year + "年度，统计至 " + (view.end || view.today) + (view.start ? "（本期自 " + view.start + " 起）" : "") +
    "；更新于 " + localTime(view.generated_at) + "（北京时间）；本周按时上报 " + view.county.reporting["按时"] + " / " +
    (view.village_count - view.county.reporting["无设备"]) + " 个村";
  const money = $("villages").tBodies[0], progress = $("progress").tBodies[0];
  money.replaceChildren(); progress.replaceChildren();
  for (const [kind, r] of inOrder(view)) { moneyRow(money, kind, r); progressRow(progress, kind, r); }
}
async function download(ext) {
  $("error").textContent = "";
  try {
    const name = await staff.download("/api/v1/staff/progress." + ext + "?" + periodQuery(), "progress." + ext);
    $("notice").textContent = "已导出 " + name;
  } catch (e) { $("error").textContent = e.message; }
}
$("period").addEventListener("submit", (event) => {
  event.preventDefault();
  showOverview().catch((e) => { $("error").textContent = e.message; });
});
$("export-xlsx").addEventListener("click", () => download("xlsx"));
$("export-pdf").addEventListener("click", () => download("pdf"));
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
      refused.map((f) => [f.device_id, f.seq === null ? "—" : String(f.seq), f.message, localTime(f.received_at)]), 2));
  } catch (e) { $("error").textContent = e.message; }
}
staff.onSignIn(showOverview);
const post = (path, body) => staff.call(path, {method: "POST", json: body || {}});
$("logout").addEventListener("click", async () => {
  const said = await staff.signOut();
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
