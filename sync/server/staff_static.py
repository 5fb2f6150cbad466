"""What the staff pages (/, /overview, /doubts, /monthly) share, served once as /static/staff.js
and /static/staff.css (routers/pages.py): the session kept in the tab (sessionStorage), signing
in and out, calls with the token, downloads, Beijing time, and the common look. A page links
them with `?v=` and the content's hash, so a browser may keep them a day and still never runs an
old copy after an upgrade. No data, nothing from elsewhere; values go on a page as text."""

from __future__ import annotations

import hashlib

STAFF_CSS = """
body { font-family: "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; }
nav a, nav button { margin-right: 1em; font-size: 1em; }
#error { color: #b71c1c; font-weight: bold; }
.hidden { display: none; }
label { display: inline-block; margin: 0.3em 0.8em 0.3em 0; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; white-space: nowrap; }
th { background: #eee; }
td.wrap { white-space: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f6f6f6; }
td.below { color: #b71c1c; }
"""

STAFF_JS = r"""
"use strict";
const $ = (id) => document.getElementById(id);
const staff = {
  /** Signs in; keeps the token, the role and who it is in the tab. Throws the server's message. */
  async signIn(name, password) {
    const answer = await fetch("/api/v1/staff/login", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({name, password})});
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.message || "登录失败");
    sessionStorage.setItem("token", body.token);
    sessionStorage.setItem("role", body.role);
    sessionStorage.setItem("who", name + (body.role === "township" ? "（乡镇 " + body.township_code + "）" : "（县级）"));
    return body;
  },
  /** Answers the sign-in form (login_form): signs in with its fields, empties the password, then
      `after()`; a refusal is shown in #error. */
  onSignIn(after) {
    $("login").addEventListener("submit", async (event) => {
      event.preventDefault();
      $("error").textContent = "";
      $("notice").textContent = "";
      try {
        await staff.signIn($("name").value, $("password").value);
        $("password").value = "";
        await after();
      } catch (e) { $("error").textContent = e.message; }
    });
  },
  /** Ends the session on the server (if it was still open) and in the tab; the message to show. */
  async signOut() {
    let said = "已退出登录";
    try {
      const answer = await fetch("/api/v1/staff/logout", {method: "POST",
        headers: {"Authorization": "Bearer " + sessionStorage.getItem("token")}});
      if (answer.ok) said = (await answer.json()).message;
    } catch (e) { /* the session had ended already */ }
    sessionStorage.clear();
    return said;
  },
  /** A staff API call with the token. o: method, json (a body sent as JSON), body, headers,
      blob (the answer itself when OK), toSignIn (a 401 leads to /), withCode (the refusal's code
      after its message). Throws the server's message when refused. */
  async call(path, o = {}) {
    const headers = Object.assign({"Authorization": "Bearer " + sessionStorage.getItem("token")}, o.headers || {});
    let body = o.body;
    if (o.json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(o.json); }
    const answer = await fetch(path, {method: o.method || "GET", headers, body});
    if (answer.status === 401 && o.toSignIn) { sessionStorage.clear(); location.href = "/"; throw new Error("请先登录"); }
    if (o.blob && answer.ok) return answer;
    const data = await answer.json();
    if (!answer.ok) {
      throw new Error((data.message || ("服务器拒绝：" + answer.status)) + (o.withCode && data.code ? "（" + data.code + "）" : ""));
    }
    return data;
  },
  /** Saves what `path` answers under the server's file name; returns that name. */
  async download(path, fallback, o = {}) {
    const answer = await staff.call(path, Object.assign({blob: true}, o));
    const m = /filename\*=UTF-8''([^;]+)/.exec(answer.headers.get("Content-Disposition") || "");
    const name = m ? decodeURIComponent(m[1]) : fallback;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(await answer.blob());
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    return name;
  },
  /** An ISO time as Beijing time, 「2026-11-25 10:00」. One without its zone is the server's UTC
      (a database may drop the zone), or with naiveIsCounty a desk's own time, the county's already. */
  localTime(iso, naiveIsCounty = false) {
    if (!iso) return "";
    const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(iso);
    if (!zoned && naiveIsCounty) return iso.slice(0, 16).replace("T", " ");
    return new Date(zoned ? iso : iso + "Z").toLocaleString("zh-CN", {timeZone: "Asia/Shanghai", hour12: false, year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"}).replaceAll("/", "-");
  },
  yuan: (fen) => (fen / 100).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2}),
  pct: (x) => x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%",
  /** A place by name with its code: 「城关镇（341824100）」, or the code alone when unnamed. */
  place: (name, code) => name ? name + "（" + code + "）" : code,
};
"""

FILES = {"staff.js": (STAFF_JS, "text/javascript; charset=utf-8"), "staff.css": (STAFF_CSS, "text/css; charset=utf-8")}
VERSION = hashlib.sha256((STAFF_JS + STAFF_CSS).encode()).hexdigest()[:12]
HEAD = (f'<link rel="stylesheet" href="/static/staff.css?v={VERSION}">\n'
        f'<script src="/static/staff.js?v={VERSION}"></script>')


def page_start(title: str) -> str:
    """A staff page's first lines, up to its own style: Chinese, phone-width, its title, and the
    shared style sheet and script (HEAD)."""
    return ('<!doctype html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width">\n'
            f'<title>两险现金代收 — {title}</title>\n' + HEAD + '\n')


# The sign-in form and the lines that answer it, the same on `/` and /overview (staff.js reads them
# by id); `intro` is a line above the fields.
def login_form(intro: str = "") -> str:
    lead = f"  <p>{intro}</p>\n" if intro else ""
    return ('<form id="login">\n' + lead
            + '  <label>用户名 <input id="name" autocomplete="username" required></label>\n'
            '  <label>密码 <input id="password" type="password" autocomplete="current-password" required></label>\n'
            '  <button type="submit">登录</button>\n'
            '</form>\n'
            '<p id="error" role="alert"></p>\n'
            '<p id="notice" role="status"></p>\n')
