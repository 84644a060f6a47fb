import Hummingbird
import NIOCore

/// The workbench's stylesheet and script, served by Herdwatch itself (the Content-Security-Policy allows no
/// other origin and no inline code).
enum WebAssets {
    struct Asset {
        var contentType: String
        var bytes: [UInt8]
    }

    static let assets: [String: Asset] = [
        "app.css": Asset(contentType: "text/css; charset=utf-8", bytes: Array(stylesheet.utf8)),
        "app.js": Asset(contentType: "text/javascript; charset=utf-8", bytes: Array(script.utf8)),
    ]

    static func response(named name: String) -> Response? {
        guard let asset = assets[name] else { return nil }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "private, max-age=300"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    static let stylesheet = """
        :root { --fg: #1d232a; --muted: #5b6570; --bg: #f7f7f5; --panel: #fff; --line: #d9dcdf; --accent: #1f5fa8;
          --hold: #9a4d00; --flag: #6b5900; --reject: #a3222a; --approve: #22703a; --mark: #ffe08a; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header.top { display: flex; gap: 1.2rem; align-items: center; padding: .5rem 1rem; background: var(--panel); border-bottom: 1px solid var(--line); }
        header.top nav { display: flex; gap: .8rem; flex: 1; }
        .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        .who { color: var(--muted); }
        .role { font-size: .8em; border: 1px solid var(--line); border-radius: 3px; padding: 0 .3em; }
        main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
        footer { color: var(--muted); padding: 1rem; text-align: center; font-size: .85em; }
        a { color: var(--accent); }
        kbd { font: .8em ui-monospace, monospace; border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 .3em; background: #fafafa; }
        code { font: .9em ui-monospace, monospace; word-break: break-all; }
        .inline { display: inline; }
        .muted { color: var(--muted); }
        .notice { background: #fff6d6; border: 1px solid #e6cf7a; padding: .5rem 1rem; margin: .5rem 1rem; }
        .error { color: var(--reject); }
        button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--line); border-radius: 4px; background: var(--panel); cursor: pointer; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.primary kbd { color: var(--fg); }
        .login { max-width: 22rem; margin: 3rem auto; background: var(--panel); padding: 1.5rem; border: 1px solid var(--line); border-radius: 6px; }
        .login label { display: block; margin: .6rem 0; }
        .login input { display: block; width: 100%; padding: .4rem; font: inherit; }
        .queue-head { display: flex; justify-content: space-between; align-items: center; }
        .counts { display: flex; gap: 1rem; list-style: none; padding: 0; }
        .counts a[aria-current] { font-weight: 700; }
        .filters { display: flex; gap: .8rem; flex-wrap: wrap; align-items: end; margin: .5rem 0 1rem; }
        table { border-collapse: collapse; width: 100%; background: var(--panel); }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        td.actor { max-width: 24rem; overflow-wrap: anywhere; }
        .action { font-weight: 600; }
        .action.hold { color: var(--hold); } .action.flag { color: var(--flag); } .action.reject { color: var(--reject); }
        .case-head h1 { margin: .2rem 0; }
        .state { font-size: .6em; vertical-align: middle; border: 1px solid var(--line); border-radius: 3px; padding: .1em .4em; }
        .case-grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr) minmax(0, 2fr); gap: 1rem; }
        @media (max-width: 1100px) { .case-grid { grid-template-columns: 1fr; } }
        .case-grid section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; min-width: 0; }
        .case-grid h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
        .case-grid h3 { font-size: .95rem; margin: .8rem 0 .3rem; }
        .text { white-space: pre-wrap; overflow-wrap: anywhere; }
        .post-text { font-size: 1.05rem; }
        mark { background: var(--mark); padding: 0 .1em; border-radius: 2px; }
        .summary { background: #f1ecff; padding: .3rem .5rem; }
        .inline-list { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
        .tag { font-size: .8em; background: #eef1f4; border-radius: 3px; padding: 0 .3em; }
        .media-list { list-style: none; padding: 0; }
        .media { border: 1px dashed var(--line); padding: .5rem; margin: .3rem 0; background: repeating-linear-gradient(45deg, #eee, #eee 6px, #e4e4e4 6px, #e4e4e4 12px); }
        .media-image { display: block; max-width: 100%; max-height: 420px; margin-top: .4rem; cursor: pointer; }
        body[data-blur-media] .media.revealed .media-image { filter: blur(24px) grayscale(1); }
        body[data-blur-media] .media.revealed.unblurred .media-image { filter: none; }
        .action-bar { position: sticky; bottom: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin-top: 1rem; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: start; box-shadow: 0 -2px 8px rgba(0,0,0,.06); }
        .action-bar fieldset { border: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem .8rem; }
        .action-bar legend { font-weight: 600; padding: 0; margin-bottom: .2rem; }
        .action-bar .note textarea { display: block; width: 22rem; max-width: 100%; font: inherit; }
        .action-bar .submit { display: flex; gap: .5rem; align-items: end; }
        .figures { display: flex; flex-wrap: wrap; gap: 1rem; }
        .figures div { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; }
        .figures dt { color: var(--muted); font-size: .85em; } .figures dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
        svg.chart { width: 100%; max-width: 800px; height: 200px; background: var(--panel); border: 1px solid var(--line); color: var(--accent); }
        """

    static let script = """
        "use strict";
        (function () {
          const csrf = document.querySelector('meta[name="csrf-token"]');
          const token = csrf ? csrf.getAttribute("content") : "";
          const body = document.body;
          const article = document.querySelector("article.case");
          const form = document.getElementById("decide-form");

          function post(url) {
            return fetch(url, { method: "POST", credentials: "same-origin", keepalive: true,
              headers: { "X-CSRF-Token": token, "Accept": "application/json" } });
          }

          function typing(target) {
            return target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "radio" && target.type !== "checkbox") || target.tagName === "SELECT");
          }

          function choose(selector) {
            const input = form && form.querySelector(selector);
            if (input) { input.checked = true; input.focus(); }
            return input;
          }

          function submit(then) {
            if (!form) return;
            document.getElementById("then-field").value = then;
            if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
          }

          if (form) {
            form.addEventListener("submit", function (event) {
              const submitter = event.submitter;
              if (submitter && submitter.dataset.then) document.getElementById("then-field").value = submitter.dataset.then;
              if (!form.querySelector('input[name="action"]:checked')) { event.preventDefault(); alert("Choose a decision first: a, r or e."); return; }
              if (!form.querySelector('input[name="reason"]:checked')) { event.preventDefault(); alert("Choose a reason first: 1 to 9."); }
            });
          }

          // Media: not loaded until revealed, then only through Herdwatch (blurred by default; click to unblur). Counts as sensitive.
          function reveal(item) {
            if (!item || item.classList.contains("revealed")) return;
            item.classList.add("revealed");
            const url = item.querySelector(".media-url");
            if (url) url.hidden = false;
            const image = item.querySelector(".media-image");
            if (image && image.dataset.src) {
              image.addEventListener("error", function () { image.hidden = true; url.textContent += " (could not be shown)"; });
              image.addEventListener("click", function () { item.classList.toggle("unblurred"); });
              image.src = image.dataset.src;
              image.hidden = false;
            }
            post("/herdwatch/session/sensitive").then(function (response) { return response.ok ? response.json() : null; })
              .then(function (answer) { if (answer) showCount(answer.sensitive_seen); }).catch(function () {});
          }
          document.querySelectorAll(".media .reveal").forEach(function (button) {
            button.addEventListener("click", function () { reveal(button.closest(".media")); });
          });

          function showCount(count) {
            const counter = document.getElementById("sensitive-counter");
            if (counter) counter.textContent = count + " sensitive";
            const limit = parseInt(body.dataset.breakAfter || "0", 10);
            if (limit > 0 && count >= limit) document.getElementById("break-reminder").hidden = false;
          }
          const dismiss = document.getElementById("break-dismiss");
          if (dismiss) dismiss.addEventListener("click", function () { document.getElementById("break-reminder").hidden = true; });
          if (body.dataset.sensitiveSeen) showCount(parseInt(body.dataset.sensitiveSeen, 10));

          // The lease: renewed every minute while the page is in use, released when idle or when leaving.
          if (article && article.dataset.leased) {
            const id = article.dataset.caseId;
            let lastActivity = Date.now();
            let released = false;
            ["keydown", "mousemove", "click", "scroll"].forEach(function (name) {
              window.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
            });
            const timer = setInterval(function () {
              if (released) return;
              if (Date.now() - lastActivity > 5 * 60 * 1000) {
                released = true; clearInterval(timer);
                post("/herdwatch/cases/" + id + "/release");
                const notice = document.createElement("div");
                notice.className = "notice"; notice.setAttribute("role", "status");
                notice.textContent = "You were idle, so this case went back to the queue. Reload to claim it again.";
                document.body.insertBefore(notice, document.querySelector("main"));
              } else {
                post("/herdwatch/cases/" + id + "/renew");
              }
            }, 60 * 1000);
            window.addEventListener("pagehide", function () {
              if (!released && !window.herdwatchSubmitting) post("/herdwatch/cases/" + id + "/release");
            });
            if (form) form.addEventListener("submit", function () { window.herdwatchSubmitting = true; });
          }

          document.addEventListener("keydown", function (event) {
            if (event.key === "Enter" && form && (event.shiftKey || event.ctrlKey || event.metaKey)) {
              event.preventDefault(); submit(event.shiftKey ? "next" : "case"); return;
            }
            if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
            if (typing(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
            const key = event.key;
            if (key === "?") { window.location.href = "/herdwatch/help"; return; }
            if (key === "q") { window.location.href = "/herdwatch/"; return; }
            if (key === "n") {
              const next = document.getElementById("next-form");
              if (next) { event.preventDefault(); next.submit(); }
              return;
            }
            if (!article) return;
            if (key === "m") { event.preventDefault(); document.querySelectorAll(".media:not(.revealed)").forEach(reveal); return; }
            if (!form) return;
            if (key === "a") {
              event.preventDefault(); choose("#action-approve");
              if (!form.querySelector('input[name="reason"]:checked')) {
                const fine = form.querySelector('input[name="reason"][value="not_a_violation"]');
                if (fine) fine.checked = true;
              }
            } else if (key === "r") { event.preventDefault(); choose("#action-reject"); }
            else if (key === "e") { event.preventDefault(); choose("#action-escalate"); }
            else if (key === "t") { event.preventDefault(); document.getElementById("note").focus(); }
            else if (/^[1-9]$/.test(key)) {
              const reason = form.querySelector('input[name="reason"][data-key="' + key + '"]');
              if (reason) { event.preventDefault(); reason.checked = true; }
            } else if (key === "Enter") { event.preventDefault(); submit("next"); }
          });
        })();
        """
}
