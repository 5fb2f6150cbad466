"""The 疑点 page (GET /doubts, issue 24): the 第四十二条 loop in a browser. A township officer reads
the 疑点 pushed to the township, answers each (核实无误 / 已整改 / 移交, who, a note) and attaches a
scanned page; a county officer pushes 疑点, draws >= 10% of them by a seed, records each
inspection's finding and the special inspections, and reads the report per township and year
(as a table, and as an xlsx). The page holds no data: it asks the staff API with the session
the sign-in page (/) keeps in the tab. Every value is put on the page as text, never markup."""

from sync.server.staff_static import page_start

DOUBTS_PAGE = page_start("疑点核查") + """<style>
table { font-size: 0.92em; }
th, td { padding: 0.25em 0.5em; }
td.wrap { min-width: 8em; max-width: 30em; }
tr.pick { cursor: pointer; }
tr.pick:hover { background: #f3f7ff; }
tr.逾期未答复 td { background: #ffe5e5; }
tr.逾期答复 td { background: #fff4e5; }
section { border-top: 1px solid #ccc; margin-top: 1em; padding-top: 0.3em; }
h2 { font-size: 1.15em; }
.short { color: #b71c1c; font-weight: bold; }
textarea { width: 30em; height: 3em; vertical-align: top; }
</style>
</head>
<body>
<h1>城乡居民两险现金代收 — 疑点核查（第四十一、四十二条）</h1>
<nav><a href="/">首页</a><a href="/overview">县级总览</a><a href="/doubts">疑点核查</a><a href="/monthly">月度统计</a><a href="/docs">接口文档</a>
<button id="logout" type="button" accesskey="q">退出登录（Alt+Q）</button></nav>
<p id="who"></p>
<p id="error" role="alert"></p>
<p id="notice" role="status"></p>
<p><label>年度 <input id="year" type="number" min="2000" max="2100" style="width:5em"></label>
<button id="reload" type="button">刷新</button> <button id="xlsx" type="button">导出年度报告（xlsx）</button>
<button id="pdf" type="button">打印年度报告（PDF）</button></p>
<section id="report-box"><h2>年度报告（按乡镇）</h2><div id="report"></div><p id="short" class="short"></p></section>
<section><h2 id="list-title">疑点</h2><div id="list"></div></section>
<section id="detail" class="hidden"><h2 id="detail-title"></h2><div id="detail-body"></div>
  <form id="answer-form" class="hidden"><h3>答复（自查自纠结果）</h3>
    <label>结论 <select id="verdict"><option>核实无误</option><option>已整改</option><option>移交</option></select></label>
    <label>自查人 <input id="by" maxlength="40"></label>
    <label>说明 <textarea id="note" maxlength="500"></textarea></label>
    <button type="submit">提交答复</button></form>
  <form id="attach-form" class="hidden"><label>附件（PDF/JPG/PNG，最大 2 MB）<input id="file" type="file"
    accept="application/pdf,image/jpeg,image/png"></label> <button type="submit">上传附件</button></form>
  <form id="inspect-form" class="hidden"><h3>工作组检查结论</h3>
    <label>结论 <select id="result"><option>自查属实</option><option>自查不实</option><option>发现违纪问题</option></select></label>
    <label>检查人 <input id="inspector" maxlength="40"></label><label>检查日期 <input id="inspected-on" type="date"></label>
    <label>检查情况 <textarea id="finding" maxlength="500"></textarea></label> <button type="submit">登记检查结论</button></form>
</section>
<section id="add-box"><h2>添加疑点</h2><form id="add-form">
  <label>村代码 <input id="add-village" maxlength="12" required></label><label>收据号/单号 <input id="add-ref" maxlength="40"></label>
  <label>内容 <input id="add-reason" maxlength="500" size="40" required></label> <button type="submit">添加并推送</button></form></section>
<div id="county" class="hidden">
<section><h2>推送疑点（乡镇在 15 日内答复）</h2><form id="find-form">
  <label>村代码 <input id="push-village" maxlength="12"></label> 或 <label>乡镇代码 <input id="push-town" maxlength="9"></label>
  <button type="submit">查看可推送的疑点</button></form><div id="candidates"></div>
  <p><button id="push-picked" type="button" class="hidden">推送所选</button></p></section>
<section><h2>抽查（不少于推送疑点的 10%，按种子可重现）</h2><form id="draw-form">
  <label>乡镇代码（空 = 各乡镇） <input id="draw-town" maxlength="9"></label><label>种子（空 = 随机） <input id="seed" maxlength="40"></label>
  <button type="submit">抽查</button></form><div id="draws"></div></section>
<section><h2>专项检查（每个乡镇每年不少于两次）</h2><form id="special-form">
  <label>乡镇代码 <input id="sp-town" maxlength="9" required></label><label>检查日期 <input id="sp-on" type="date" required></label>
  <label>参加单位 <input id="sp-units" maxlength="200" value="县纪委监委、税务、财政、医保、社保中心" size="36" required></label>
  <label>检查情况 <textarea id="sp-summary" maxlength="2000" required></textarea></label> <button type="submit">登记专项检查</button></form>
  <div id="specials"></div></section>
</div>
<script>
"use strict";
const API = "/api/v1/staff";
let role = sessionStorage.getItem("role"), rows = [], current = null;
function say(text) { $("notice").textContent = text; $("error").textContent = ""; }
function fail(e) { $("error").textContent = e.message; }
function table(headers, data, onPick) {
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const h of headers) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); }
  const body = t.createTBody();
  data.forEach((r, i) => {
    const tr = body.insertRow();
    for (const v of r.cells) {
      const td = tr.insertCell();
      if (v instanceof Node) td.appendChild(v); else { td.textContent = v; if (v.length > 20) td.className = "wrap"; }
    }
    if (r.cls) tr.className = r.cls;
    if (onPick) { tr.classList.add("pick"); tr.addEventListener("click", () => onPick(i)); }
  });
  return t;
}
const call = (path, options) => staff.call(API + path, Object.assign({toSignIn: true, withCode: true}, options || {}));
const download = (path, fallback) => staff.download(API + path, fallback, {toSignIn: true, withCode: true});
const town = (code) => staff.place(names.townships[code], code);
const village = (code) => staff.place(names.villages[code], code);
let names = {townships: {}, villages: {}};
const year = () => $("year").value;
const minute = (iso) => staff.localTime(iso, true);  // Beijing time; a desk's own time is the county's already
async function load() {
  $("error").textContent = "";
  names = await call("/places");
  const report = await call("/doubts/report?year=" + year());
  $("report").replaceChildren(table(["乡镇", "推送", "按时答复", "逾期答复", "逾期未答复", "待答复", "抽查", "已检查",
    "检查结论", "专项检查", "抽查种子"], report.map((r) => ({cls: r.overdue ? "逾期未答复" : "", cells: [town(r.township_code),
    String(r.pushed), String(r.answered_on_time), String(r.answered_late), String(r.overdue), String(r.waiting),
    String(r.drawn) + (r.drawn_share_ok ? "" : "（不足10%）"), String(r.inspected),
    Object.entries(r.findings).map(([k, n]) => k + " " + n).join("、") || "—",
    String(r.special_inspections) + (r.specials_short ? "（尚缺 " + r.specials_short + " 次）" : ""), r.seeds.join("、") || "—"]}))));
  const short = report.filter((r) => r.specials_short);
  $("short").textContent = short.length ? year() + " 年专项检查不足两次的乡镇：" + short.map((r) => town(r.township_code) + "（" + r.special_inspections + " 次）").join("、") : "";
  rows = await call("/doubts?year=" + year());
  $("list-title").textContent = year() + " 年推送的疑点（" + rows.length + " 条，点击一行查看和答复）";
  $("list").replaceChildren(table(["编号", "乡镇", "村", "类别", "收据/单号", "说明", "推送日期", "答复期限", "状态", "最近答复", "抽中", "检查结论"],
    rows.map((d) => { const a = d.answers[d.answers.length - 1], i = d.inspections[d.inspections.length - 1];
      return {cls: d.state, cells: [String(d.id), town(d.township_code), village(d.village_code), d.source + "：" + d.label, d.ref, d.reason,
        d.pushed_on, d.due_on, d.state + (d.days_left !== null && d.days_left >= 0 ? "（剩 " + d.days_left + " 天）" : ""),
        a ? a.verdict + "　" + a.answered_by + "　" + a.answered_on + "（" + a.via + "）" : "—", d.draws.length ? "是" : "",
        i ? i.result : ""]}; }), (i) => show(rows[i])));
  if (role === "county") {
    const draws = await call("/doubts/draws?year=" + year());
    $("draws").replaceChildren(table(["抽查编号", "乡镇", "年度", "种子", "推送疑点", "抽中", "比例", "抽中编号", "按种子重抽"],
      draws.map((d) => ({cells: [String(d.id), town(d.township_code), String(d.year), d.seed, String(d.population.length),
        String(d.chosen.length), d.share, d.chosen.join("、"), d.reproduced ? "一致" : "不一致"]}))));
    const sp = await call("/doubts/special-inspections?year=" + year());
    $("specials").replaceChildren(table(["乡镇", "检查日期", "参加单位", "检查情况", "登记人"],
      sp.map((x) => ({cells: [town(x.township_code), x.held_on, x.units, x.summary, x.recorded_by]}))));
  }
  if (current) { const again = rows.find((d) => d.id === current.id); if (again) show(again); }
}
function show(d) {
  current = d;
  $("detail").classList.remove("hidden");
  $("detail-title").textContent = "疑点 " + d.id + "：" + d.label + "（" + town(d.township_code) + " " + village(d.village_code) + "，" + d.state + "，答复期限 " + d.due_on + "）";
  const box = $("detail-body");
  const p = document.createElement("p");
  p.textContent = d.source + "　设备 " + (d.device_id || "—") + "　收据/单号 " + (d.ref || "—") + "　日期 " + d.day + "　" + d.reason + "　推送：" + d.pushed_by + " " + d.pushed_on;
  const files = d.attachments.map((a) => { const b = document.createElement("button"); b.type = "button";
    b.textContent = "下载 " + a.name + "（" + Math.ceil(a.size / 1024) + " KB，" + a.uploaded_by + "）";
    b.addEventListener("click", () => download("/doubts/attachments/" + a.id, a.name).catch(fail)); return b; });
  const filesBox = document.createElement("p"); filesBox.append("附件：", ...(files.length ? files : ["无"]));
  const none = (text) => { const q = document.createElement("p"); q.textContent = text; return q; };
  box.replaceChildren(p, d.answers.length ? table(["结论", "自查人", "答复时间（北京时间）", "方式", "说明", "登记人"],
    d.answers.map((a) => ({cells: [a.verdict, a.answered_by, minute(a.answered_at), a.via, a.note, a.recorded_by]}))) : none("尚未答复"),
    filesBox, d.inspections.length ? table(["检查结论", "检查情况", "检查人", "检查日期"],
    d.inspections.map((i) => ({cells: [i.result, i.finding, i.inspected_by, i.inspected_on]}))) : none(d.draws.length ? "已抽中，尚无检查结论" : "未抽中"));
  $("answer-form").classList.toggle("hidden", role !== "township" || d.inspections.length > 0);
  $("attach-form").classList.toggle("hidden", role !== "township");
  $("inspect-form").classList.toggle("hidden", role !== "county" || !d.draws.length);
}
function form(id, action) {
  $(id).addEventListener("submit", async (event) => { event.preventDefault(); try { await action(); } catch (e) { fail(e); } });
}
form("answer-form", async () => {
  await call("/doubts/" + current.id + "/answer", {method: "POST", json: {verdict: $("verdict").value, by: $("by").value, note: $("note").value}});
  $("note").value = ""; say("已答复疑点 " + current.id); await load();
});
form("attach-form", async () => {
  const f = $("file").files[0];
  if (!f) throw new Error("请先选择文件");
  await call("/doubts/" + current.id + "/attachments?name=" + encodeURIComponent(f.name), {method: "POST", body: f, headers: {"Content-Type": f.type}});
  $("file").value = ""; say("附件已上传"); await load();
});
form("inspect-form", async () => {
  await call("/doubts/" + current.id + "/inspection", {method: "POST", json: {result: $("result").value, finding: $("finding").value,
    by: $("inspector").value, on: $("inspected-on").value || null}});
  $("finding").value = ""; say("已登记疑点 " + current.id + " 的检查结论"); await load();
});
form("add-form", async () => {
  const d = await call("/doubts/add", {method: "POST", json: {village_code: $("add-village").value.trim(), ref: $("add-ref").value, reason: $("add-reason").value}});
  $("add-reason").value = ""; say("已添加疑点 " + d.id + "，答复期限 " + d.due_on); await load();
});
let scope = {}, found = [];
form("find-form", async () => {
  scope = $("push-village").value.trim() ? {village_code: $("push-village").value.trim()} : {township_code: $("push-town").value.trim()};
  found = await call("/doubts/candidates?" + new URLSearchParams(scope));
  $("candidates").replaceChildren(table(["选择", "村", "来源", "类别", "收据/单号", "日期", "说明"], found.map((c) => {
    const box = document.createElement("input"); box.type = "checkbox"; box.checked = !c.pushed; box.disabled = c.pushed; box.dataset.key = c.key;
    return {cells: [c.pushed ? "已推送" : box, village(c.village_code), c.source, c.label, c.ref, c.day, c.reason]}; })));
  $("push-picked").classList.toggle("hidden", !found.some((c) => !c.pushed));
  say("可推送 " + found.filter((c) => !c.pushed).length + " 条，已推送 " + found.filter((c) => c.pushed).length + " 条");
});
$("push-picked").addEventListener("click", async () => {
  try {
    const keys = [...$("candidates").querySelectorAll("input[type=checkbox]:checked")].map((b) => b.dataset.key);
    const r = await call("/doubts/push", {method: "POST", json: Object.assign({keys}, scope)});
    say("已推送 " + r.pushed + " 条疑点，答复期限 " + r.due_on); $("candidates").replaceChildren(); $("push-picked").classList.add("hidden"); await load();
  } catch (e) { fail(e); }
});
form("draw-form", async () => {
  const made = await call("/doubts/draws", {method: "POST", json: {year: Number(year()), township_code: $("draw-town").value.trim() || null, seed: $("seed").value.trim() || null}});
  say("已抽查，种子 " + made[0].seed + "：" + made.map((d) => town(d.township_code) + " 抽中 " + d.chosen.length + "/" + d.population.length).join("；")); await load();
});
form("special-form", async () => {
  await call("/doubts/special-inspections", {method: "POST", json: {township_code: $("sp-town").value.trim(), held_on: $("sp-on").value,
    units: $("sp-units").value, summary: $("sp-summary").value}});
  $("sp-summary").value = ""; say("已登记专项检查"); await load();
});
$("reload").addEventListener("click", () => load().catch(fail));
$("xlsx").addEventListener("click", () => download("/doubts/report.xlsx?year=" + year(), "疑点核查报告.xlsx").catch(fail));
$("pdf").addEventListener("click", () => download("/doubts/report.pdf?year=" + year(), "疑点核查报告.pdf")
  .then((name) => say("已导出 " + name)).catch(fail));
$("logout").addEventListener("click", async () => { await staff.signOut(); location.href = "/"; });
async function start() {
  if (!sessionStorage.getItem("token")) { location.href = "/"; return; }
  const me = await call("/me");
  role = me.role;
  $("who").textContent = "已登录：" + me.name + (me.role === "township" ? "（乡镇 " + me.township_code + "）" : "（县级）");
  $("year").value = me.year;
  $("county").classList.toggle("hidden", role !== "county");
  await load();
}
start().catch(fail);
</script>
</body>
</html>
"""
