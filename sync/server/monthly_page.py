"""The 月度统计 page (GET /monthly, issues 24/25): what a township counts each month (seed 004
镇级4、5) on the county server. A county account picks a township, a township account sees its
own; a month and the benefit year are chosen, and the page draws GET /staff/monthly/{township}
(tiers, fiscal subsidy, special groups, 到龄, 续费率 by age band) and exports the same as an
xlsx. The page holds no data; the session is the sign-in page's (/static/staff.js). Every
value is put on the page as text, never markup: names were typed at a village desk."""

from sync.server.staff_static import page_start

MONTHLY_PAGE = page_start("月度统计") + """<style>
h2 { font-size: 1.15em; margin-top: 1.2em; }
#pick { margin: 0.6em 0; }
.note { color: #555; font-size: 0.9em; }
</style>
</head>
<body>
<h1>城乡居民两险 — 月度统计（镇级按月统计报送）</h1>
<nav><a href="/">首页</a><a href="/overview">县级总览</a><a href="/doubts">疑点核查</a><a href="/monthly">月度统计</a>
<button id="logout" type="button" accesskey="q">退出登录（Alt+Q）</button></nav>
<p id="who"></p>
<p id="error" role="alert"></p>
<p id="notice" role="status"></p>
<form id="pick">
  <label>乡镇 <select id="township"></select></label>
  <label>月份 <input id="month" type="month" required></label>
  <label>缴费年度 <input id="year" type="number" min="2000" max="2100" style="width:5em" required></label>
  <button type="submit">查看</button>
  <button id="xlsx" type="button">导出 Excel</button>
</form>
<section id="counts" class="hidden">
  <p id="title"></p>
  <h2>一、各档次缴费人数及金额</h2>
  <table id="tiers"><thead><tr><th>档次</th><th>当月缴费人数</th><th>当月缴费金额（元）</th><th>累计缴费人数</th>
    <th>累计缴费金额（元）</th></tr></thead><tbody></tbody></table>
  <h2>二、财政应拨付的缴费补贴</h2>
  <table id="subsidies"><thead><tr><th>人员类别</th><th>险种</th><th>当月缴费人数</th><th>当月补贴（元）</th>
    <th>全年应补贴人数</th><th>全年应补贴（元）</th></tr></thead><tbody></tbody></table>
  <h2>三、特殊群体</h2>
  <p id="special-counts"></p>
  <table id="specials"><thead><tr><th>人员类别</th><th>村民小组</th><th>户号</th><th>姓名</th><th>证件号码</th>
    <th>养老</th><th>医疗</th></tr></thead><tbody></tbody></table>
  <h2 id="ages-title">四、到龄人员</h2>
  <table id="ages"><thead><tr><th>村民小组</th><th>户号</th><th>姓名</th><th>证件号码</th><th>年满60周岁日期</th>
    <th>截至月末</th></tr></thead><tbody></tbody></table>
  <h2>五、续费率（养老）</h2>
  <table id="renewal"><thead><tr><th>年龄段（1月1日周岁）</th><th>上年已缴人数</th><th>其中本年已缴</th><th>续费率</th>
    <th>目标</th></tr></thead><tbody></tbody></table>
  <p class="note">当月与累计按收据日期统计（作废收据不计），县里载入的其他渠道缴费按其缴费日期计入；清册上只标「已缴」而无日期的缴费与政府全额代缴，只计入全年应补贴。
  续费率＝上年已缴（现金、其他渠道或政府全额代缴）者中截至月末本年已缴的比例。证件号码已隐去中间位。</p>
</section>
<script>
"use strict";
const API = "/api/v1/staff";
const call = (path) => staff.call(API + path, {toSignIn: true});
const INSURANCE = {pension: "养老", medical: "医疗"};
let places = {townships: {}, villages: {}, years: []};
function fail(e) { $("error").textContent = e.message; }
function rows(id, data, numeric) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const r of data) {
    const tr = body.insertRow();
    r.forEach((v, i) => { const td = tr.insertCell(); td.textContent = v; if (numeric.includes(i)) td.className = "num"; });
    if (r[0] === "合计") tr.className = "total";
  }
  if (!data.length) { const td = body.insertRow().insertCell(); td.colSpan = $(id).tHead.rows[0].cells.length; td.textContent = "无"; }
}
function query() {
  return "?" + new URLSearchParams({month: $("month").value, year: $("year").value});
}
function yearOf(month) {  // the benefit year whose collection window holds the month, else the newest
  const day = month + "-01";
  const found = places.years.find((y) => y.start.slice(0, 7) + "-01" <= day && day <= y.end);
  return found ? found.year : (places.years.length ? places.years[places.years.length - 1].year : "");
}
async function show() {
  $("error").textContent = "";
  const code = $("township").value;
  if (!code) throw new Error("本账号没有可查看的乡镇");
  const c = await call("/monthly/" + code + query());
  $("counts").classList.remove("hidden");
  $("title").textContent = staff.place(places.townships[code], code) + "　" + c.month.replace("-", "年") + "月　" +
    c.year + "年度　当月缴费 " + c.month_payers + " 人、" + staff.yuan(c.month_fen) + " 元；当月财政补贴 " +
    staff.yuan(c.month_subsidy_fen) + " 元，全年应补贴 " + staff.yuan(c.year_subsidy_fen) + " 元";
  const label = (t) => t.tier_fen === null ? INSURANCE[t.insurance] : INSURANCE[t.insurance] + " " + t.tier_fen / 100 + "元档";
  const shown = c.tiers.filter((t) => t.total_payers || t.month_payers);
  rows("tiers", shown.map((t) => [label(t), String(t.month_payers), staff.yuan(t.month_fen), String(t.total_payers),
    staff.yuan(t.total_fen)]).concat([["合计", String(c.month_payers), staff.yuan(c.month_fen), "",
    staff.yuan(c.tiers.reduce((n, t) => n + t.total_fen, 0))]]), [1, 2, 3, 4]);
  rows("subsidies", c.subsidies.map((x) => [x.category, INSURANCE[x.insurance], String(x.month_people), staff.yuan(x.month_fen),
    String(x.year_people), staff.yuan(x.year_fen)]).concat([["合计", "", "", staff.yuan(c.month_subsidy_fen), "",
    staff.yuan(c.year_subsidy_fen)]]), [2, 3, 4, 5]);
  $("special-counts").textContent = c.special_counts.map((k) => k.category + " " + k.people + " 人（已缴或代缴 " + k.paid +
    "，未缴 " + k.unpaid + "）").join("；") || "无";
  rows("specials", c.specials.map((x) => [x.category, x.group, x.household_no, x.name, x.id_number,
    x.states.pension || "—", x.states.medical || "—"]), []);
  $("ages-title").textContent = "四、" + c.month.slice(0, 4) + "年到龄人员（年满60周岁，可申领养老待遇）：" + c.reaching_age.length + " 人";
  rows("ages", c.reaching_age.map((a) => [a.group, a.household_no, a.name, a.id_number, a.reaches_on,
    a.reached ? "已到龄" : "未到龄"]), []);
  rows("renewal", c.renewal.map((r) => [r.band, String(r.base), String(r.renewed),
    r.rate === null ? "无上年数据" : staff.pct(r.rate), r.target + "%"]), [1, 2, 3]);
  for (const [i, r] of c.renewal.entries()) {
    if (r.rate !== null && r.rate * 100 < r.target) $("renewal").tBodies[0].rows[i].cells[3].classList.add("below");
  }
}
$("pick").addEventListener("submit", (event) => { event.preventDefault(); show().catch(fail); });
$("month").addEventListener("change", () => { const y = yearOf($("month").value); if (y) $("year").value = y; });
$("xlsx").addEventListener("click", async () => {
  try {
    if (!$("township").value) throw new Error("本账号没有可查看的乡镇");
    const name = await staff.download(API + "/monthly/" + $("township").value + ".xlsx" + query(), "月度统计.xlsx", {toSignIn: true});
    $("notice").textContent = "已导出 " + name;
  } catch (e) { fail(e); }
});
$("logout").addEventListener("click", async () => { await staff.signOut(); location.href = "/"; });
async function start() {
  if (!sessionStorage.getItem("token")) { location.href = "/"; return; }
  const me = await call("/me");
  $("who").textContent = "已登录：" + me.name + (me.role === "township" ? "（乡镇 " + me.township_code + "）" : "（县级）");
  places = await call("/places");
  const pick = $("township");
  for (const [code, name] of Object.entries(places.townships)) pick.add(new Option(staff.place(name, code), code));
  pick.disabled = me.role === "township";
  $("month").value = new Date().toLocaleDateString("sv-SE", {timeZone: "Asia/Shanghai"}).slice(0, 7);
  $("year").value = yearOf($("month").value);
}
start().catch(fail);
</script>
</body>
</html>
"""
