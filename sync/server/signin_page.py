"""The county server's front door (GET /): a staff member signs in here and goes on to the overview,
the 疑点 page or the monthly counts; the session is kept in the tab (sessionStorage), which the
other pages read. No CDN: this page and /static/staff.js, .css; every value is put on it as text."""

from sync.server.staff_static import login_form, page_start

SIGNIN_PAGE = page_start("县级服务器登录") + """<style>
.menu a { display: block; font-size: 1.2em; margin: 0.6em 0; }
</style>
</head>
<body>
<h1>城乡居民两险现金代收 — 县级服务器</h1>
""" + login_form("县、乡镇工作人员请登录。") + """<section id="menu" class="hidden">
  <p id="who"></p>
  <div class="menu">
    <a id="to-overview" href="/overview">县级总览（各村收款、日结、解缴、入库）</a>
    <a id="to-doubts" href="/doubts">疑点核查（推送、答复、抽查、专项检查、年度报告）</a>
    <a id="to-monthly" href="/monthly">月度统计（各档次缴费、财政补贴、特殊群体、到龄、续费率）</a>
    <a href="/docs">接口文档</a>
  </div>
  <p><button id="logout" type="button" accesskey="q">退出登录（Alt+Q）</button></p>
</section>
<p>缴费人查验收据请用 <a href="/receipt">收据查验</a>。</p>
<script>
"use strict";
function signedIn() {
  $("login").classList.add("hidden");
  $("menu").classList.remove("hidden");
  $("who").textContent = "已登录：" + sessionStorage.getItem("who");
}
staff.onSignIn(signedIn);
$("logout").addEventListener("click", async () => {
  const said = await staff.signOut();
  $("menu").classList.add("hidden");
  $("login").classList.remove("hidden");
  $("notice").textContent = said;
});
if (sessionStorage.getItem("token")) signedIn();
</script>
</body>
</html>
"""
