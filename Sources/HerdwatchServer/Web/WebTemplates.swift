/// The workbench's Mustache templates. Rules (checked by `WebTemplateTests`): each starts with the strict content
/// type pragma; none uses `{{{…}}}` or `{{&…}}`; no inline script or style (the Content-Security-Policy forbids
/// them); no `href` or `src` is ever filled from post content (links in posts are shown as text).
enum WebTemplates {
    static let pragma = "{{% CONTENT_TYPE: STRICT_HTML}}"

    static let all: [String: String] = [
        "layout": layout, "login": login, "queue": queue, "case": reviewCase, "message": message, "cluster": cluster,
        "audit": audit, "metrics": metrics, "users": users, "help": help, "proposals": proposals, "settings": settings,
        "blocklists": blocklists,
    ]

    static let layout = pragma + """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        {{#csrf}}<meta name="csrf-token" content="{{csrf}}">{{/csrf}}
        <title>{{title}} · Herdwatch</title>
        <link rel="stylesheet" href="/herdwatch/assets/app.css">
        <script src="/herdwatch/assets/app.js" defer></script>
        </head>
        <body data-page="{{page}}"{{#blurMedia}} data-blur-media="true"{{/blurMedia}}{{#breakAfter}} data-break-after="{{breakAfter}}"{{/breakAfter}}{{#sensitiveSeen}} data-sensitive-seen="{{sensitiveSeen}}"{{/sensitiveSeen}}>
        <header class="top">
        <a class="brand" href="/herdwatch/">Herdwatch</a>
        {{#user}}
        <nav>
        <a href="/herdwatch/" accesskey="q">Queue</a>
        {{#canMetrics}}<a href="/herdwatch/metrics">Metrics</a>{{/canMetrics}}
        {{#canProposals}}<a href="/herdwatch/proposals">Proposals</a>{{/canProposals}}
        {{#canBlocklists}}<a href="/herdwatch/blocklists">Blocklists</a>{{/canBlocklists}}
        {{#canAudit}}<a href="/herdwatch/audit">Audit log</a>{{/canAudit}}
        {{#canUsers}}<a href="/herdwatch/users">Users</a>{{/canUsers}}
        <a href="/herdwatch/settings">Settings</a>
        </nav>
        <span class="who"><span class="sensitive-counter" id="sensitive-counter" title="Sensitive items seen this session">{{sensitiveSeen}} sensitive</span> {{user.name}} <span class="role">{{user.role}}</span></span>
        <form method="post" action="/herdwatch/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>
        <form method="post" action="/herdwatch/next" id="next-form" hidden><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="queue" value="{{queueName}}"></form>
        {{/user}}
        </header>
        <div id="break-reminder" class="notice" hidden role="alert">You have seen many sensitive items this session. Take a break: step away from the screen for a few minutes. <button type="button" id="break-dismiss">Dismiss</button></div>
        {{#flash}}<div class="notice" role="status">{{flash}}</div>{{/flash}}
        <main>
        {{$content}}{{/content}}
        </main>
        <footer>Press <kbd>?</kbd> for keyboard shortcuts.</footer>
        </body>
        </html>
        """

    static let login = pragma + """
        {{<layout}}{{$content}}
        <section class="login">
        <h1>Sign in to Herdwatch</h1>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/herdwatch/login">
        <input type="hidden" name="csrf" value="{{loginCSRF}}">
        <label>Username <input name="username" autocomplete="username" required autofocus value="{{username}}"></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button>
        </form>
        </section>
        {{/content}}{{/layout}}
        """

    static let message = pragma + """
        {{<layout}}{{$content}}
        <section class="message">
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <p><a href="/herdwatch/">Back to the queue</a></p>
        </section>
        {{/content}}{{/layout}}
        """

    static let queue = pragma + """
        {{<layout}}{{$content}}
        <section class="queue">
        <div class="queue-head">
        <h1>Queue</h1>
        <button type="submit" form="next-form" class="primary" title="Next case (n)">Next case <kbd>n</kbd></button>
        </div>
        <ul class="counts">{{#counts}}<li><a href="/herdwatch/?state={{state}}"{{#current}} aria-current="page"{{/current}}>{{label}} <strong>{{count}}</strong></a></li>{{/counts}}</ul>
        <form method="get" action="/herdwatch/" class="filters">
        <label>Queue <select name="queue">{{#queueOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/queueOptions}}</select></label>
        <label>State <select name="state">{{#stateOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/stateOptions}}</select></label>
        <label>Action <select name="action">{{#actionOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/actionOptions}}</select></label>
        <label>Domain <input name="domain" value="{{domain}}" placeholder="example.social"></label>
        <label>Rule <input name="rule" value="{{rule}}" placeholder="rule id or tag"></label>
        <button type="submit">Filter</button>
        </form>
        {{^hasCases}}<p class="empty">No cases match.</p>{{/hasCases}}
        {{#hasCases}}
        <table class="cases">
        <thead><tr><th>Case</th><th>Priority</th><th>Action</th><th>Score</th><th>Rules</th><th>Actor</th><th>Reports</th><th>Age</th><th>State</th></tr></thead>
        <tbody>
        {{#cases}}
        <tr data-case="{{id}}"><td><a href="/herdwatch/cases/{{id}}">#{{id}}</a></td><td>{{priority}}</td><td><span class="action {{action}}">{{action}}</span></td><td>{{score}}</td><td>{{rules}}</td><td class="actor">{{actor}}</td><td>{{reports}}</td><td title="{{openedAt}}">{{age}}</td><td>{{state}}{{#leasedBy}} · {{leasedBy}}{{/leasedBy}}</td></tr>
        {{/cases}}
        </tbody>
        </table>
        {{/hasCases}}
        {{#more}}<p class="more">Showing the first {{shown}}; narrow the filters to see others.</p>{{/more}}
        </section>
        {{/content}}{{/layout}}
        """

    static let reviewCase = pragma + """
        {{<layout}}{{$content}}
        <article class="case" data-case-id="{{id}}" data-version="{{version}}"{{#leasedToMe}} data-leased="true"{{/leasedToMe}}>
        <header class="case-head">
        <h1>Case #{{id}} <span class="state {{state}}">{{stateLabel}}</span></h1>
        <p class="facts"><span class="action {{action}}">{{action}}</span> · score {{score}} · priority {{priority}} · opened <time datetime="{{openedAt}}">{{age}} ago</time>{{#duplicates}} · {{duplicates}} repeat deliveries{{/duplicates}}{{#leaseText}} · {{leaseText}}{{/leaseText}}</p>
        </header>
        <div class="case-grid">
        <section class="post" aria-label="The post">
        <h2>Post <span class="muted">({{activityType}})</span></h2>
        {{#summary}}<p class="summary"><strong>Content warning:</strong> <span class="text">{{summary}}</span></p>{{/summary}}
        <div class="text post-text" id="post-text">{{#segments}}{{#hit}}<mark title="{{rules}}">{{text}}</mark>{{/hit}}{{^hit}}{{text}}{{/hit}}{{/segments}}</div>
        {{^segments}}<p class="muted">No text.</p>{{/segments}}
        {{#hasLinks}}<h3>Links (not followed)</h3><ul class="links">{{#links}}<li><code>{{.}}</code></li>{{/links}}</ul>{{/hasLinks}}
        {{#hasMentions}}<h3>Mentions</h3><ul class="inline-list">{{#mentions}}<li><code>{{.}}</code></li>{{/mentions}}</ul>{{/hasMentions}}
        {{#hasHashtags}}<h3>Hashtags</h3><ul class="inline-list">{{#hashtags}}<li>#{{.}}</li>{{/hashtags}}</ul>{{/hasHashtags}}
        {{#hasMedia}}
        <h3>Media</h3>
        <ul class="media-list">{{#media}}<li class="media hidden-media"><span class="media-label">{{type}}{{#description}}: {{description}}{{/description}}</span> <button type="button" class="reveal">Reveal <kbd>m</kbd></button> <code class="media-url" hidden>{{url}}</code><img class="media-image" alt="" hidden data-src="/herdwatch/cases/{{caseID}}/media/{{index}}"></li>{{/media}}</ul>
        <p class="muted">Media is fetched by Herdwatch, never by your browser, and only when you reveal it.</p>
        {{/hasMedia}}
        </section>
        <section class="why" aria-label="Why it was held">
        <h2>Why</h2>
        <ul class="hits">{{#hits}}<li><strong class="rule">{{rule}}</strong> <span class="muted">+{{score}}{{#action}} · {{action}}{{/action}}</span><br>{{description}}{{#tags}} <span class="tag">{{.}}</span>{{/tags}}<ul>{{#evidence}}<li>{{.}}</li>{{/evidence}}</ul></li>{{/hits}}</ul>
        {{^hits}}<p class="muted">No rule fired: the built-in checks held it.</p>{{/hits}}
        </section>
        <section class="actor" aria-label="Actor and domain">
        <h2>Actor</h2>
        <dl>
        <dt>Actor</dt><dd><code>{{actorID}}</code></dd>
        {{#displayName}}<dt>Display name</dt><dd>{{displayName}}</dd>{{/displayName}}
        {{#username}}<dt>Username</dt><dd>{{username}}</dd>{{/username}}
        {{#accountAge}}<dt>Account age</dt><dd>{{accountAge}}</dd>{{/accountAge}}
        {{#bio}}<dt>Bio</dt><dd class="text">{{bio}}</dd>{{/bio}}
        <dt>Domain</dt><dd><code>{{domain}}</code></dd>
        <dt>Signed by</dt><dd>{{#signer}}<code>{{signer}}</code>{{/signer}}{{^signer}}nobody verified{{/signer}}</dd>
        {{#history}}<dt>History</dt><dd>{{history}}</dd>{{/history}}
        </dl>
        {{#hasReports}}<h3>Reports from other servers</h3><ul class="notes">{{#reports}}<li><span class="muted">{{reporter}} · {{at}}</span><br><span class="text">{{comment}}</span></li>{{/reports}}</ul>{{/hasReports}}
        {{#hasEarlier}}<h3>Other cases from this domain</h3><ul>{{#earlier}}<li><a href="/herdwatch/cases/{{id}}">#{{id}}</a> {{state}} <code>{{actor}}</code></li>{{/earlier}}</ul>{{/hasEarlier}}
        {{#hasNotes}}<h3>Notes</h3><ul class="notes">{{#notes}}<li><span class="muted">{{about}} · {{author}} · {{at}}</span><br><span class="text">{{text}}</span></li>{{/notes}}</ul>{{/hasNotes}}
        <form method="post" action="/herdwatch/cases/{{id}}/notes" class="note-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Add a note about <select name="on"><option value="case">this case</option><option value="actor">the actor</option><option value="domain">the domain</option></select></label>
        <textarea name="text" rows="2" maxlength="10000" required></textarea>
        <button type="submit">Save note</button>
        </form>
        <p><a href="/herdwatch/cases/{{id}}/cluster">Campaign: decide this case with its near-duplicates…</a></p>
        {{#evidenceDigest}}<p class="muted evidence">Evidence SHA-256: <code>{{evidenceDigest}}</code> {{#evidencePurged}}(the evidence was purged {{evidencePurged}} under the retention period; the case and its audit log stay){{/evidencePurged}}{{^evidencePurged}}{{#evidenceIntact}}(matches what arrived){{/evidenceIntact}}{{^evidenceIntact}}<strong class="error">(the stored evidence no longer matches what arrived)</strong>{{/evidenceIntact}}{{/evidencePurged}}</p>{{/evidenceDigest}}
        {{#request}}<details class="personal"><summary>Delivery (personal data)</summary><ul>{{#headers}}<li><code>{{name}}: {{value}}</code></li>{{/headers}}</ul></details>{{/request}}
        </section>
        </div>
        {{#canDecide}}
        <form method="post" action="/herdwatch/cases/{{id}}/decide" class="action-bar" id="decide-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="version" value="{{version}}">
        <input type="hidden" name="then" value="case" id="then-field">
        <input type="hidden" name="queue" value="{{queueName}}">
        <fieldset class="actions"><legend>Decision</legend>
        <label><input type="radio" name="action" value="approve" id="action-approve"> Approve <kbd>a</kbd></label>
        <label><input type="radio" name="action" value="reject" id="action-reject"> Reject <kbd>r</kbd></label>
        <label><input type="radio" name="action" value="escalate" id="action-escalate"> Escalate <kbd>e</kbd></label>
        </fieldset>
        {{#canPropose}}<fieldset class="proposals"><legend>Propose to a lead</legend>
        <label><input type="checkbox" name="propose[]" value="limit_actor"> Limit the actor</label>
        <label><input type="checkbox" name="propose[]" value="suspend_actor"> Suspend the actor</label>
        <label><input type="checkbox" name="propose[]" value="block_domain"> Block the domain</label>
        </fieldset>{{/canPropose}}
        <fieldset class="reasons"><legend>Reason</legend>
        {{#reasons}}<label><input type="radio" name="reason" value="{{code}}" data-key="{{key}}"> {{label}} <kbd>{{key}}</kbd></label>{{/reasons}}
        </fieldset>
        <label class="note">Note <kbd>t</kbd> <textarea name="note" id="note" rows="2" maxlength="2000"></textarea></label>
        <div class="submit">
        <button type="submit" class="primary" id="submit-next" data-then="next">Decide and next <kbd>Shift+Enter</kbd></button>
        <button type="submit" id="submit-stay" data-then="case">Decide <kbd>Ctrl+Enter</kbd></button>
        </div>
        </form>
        {{/canDecide}}
        {{^canDecide}}<p class="muted decided">{{decidedText}}</p>{{/canDecide}}
        </article>
        {{/content}}{{/layout}}
        """

    static let cluster = pragma + """
        {{<layout}}{{$content}}
        <section class="cluster">
        <h1>Campaign of case <a href="/herdwatch/cases/{{id}}">#{{id}}</a></h1>
        <p>Deciding covers <strong>{{count}} open case(s)</strong> from <strong>{{actors}} actor(s)</strong> on <strong>{{domains}} domain(s)</strong>.</p>
        <div class="case-grid">
        <section><h2>Sample cases</h2><ul>{{#sampleCases}}<li><a href="/herdwatch/cases/{{id}}">#{{id}}</a></li>{{/sampleCases}}</ul></section>
        <section><h2>Sample actors</h2><ul>{{#sampleActors}}<li><code>{{.}}</code></li>{{/sampleActors}}</ul></section>
        <section><h2>Sample domains</h2><ul>{{#sampleDomains}}<li><code>{{.}}</code></li>{{/sampleDomains}}</ul></section>
        </div>
        <form method="post" action="/herdwatch/cases/{{id}}/bulk" class="action-bar" id="bulk-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="items" value="{{items}}">
        <fieldset class="actions"><legend>Decision for all {{count}}</legend>
        <label><input type="radio" name="action" value="reject" id="action-reject" required> Reject <kbd>r</kbd></label>
        <label><input type="radio" name="action" value="approve" id="action-approve"> Approve <kbd>a</kbd></label>
        </fieldset>
        <fieldset class="reasons"><legend>Reason</legend>
        {{#reasons}}<label><input type="radio" name="reason" value="{{code}}" data-key="{{key}}" required> {{label}} <kbd>{{key}}</kbd></label>{{/reasons}}
        </fieldset>
        <label class="note">Note <textarea name="note" rows="2" maxlength="2000"></textarea></label>
        <div class="submit"><button type="submit" class="primary" id="bulk-submit">Decide all {{count}}</button></div>
        </form>
        </section>
        {{/content}}{{/layout}}
        """

    static let audit = pragma + """
        {{<layout}}{{$content}}
        <section>
        <h1>Audit log</h1>
        <table class="audit"><thead><tr><th>When</th><th>Who</th><th>Via</th><th>Case</th><th>Action</th><th>State</th><th>Reason</th><th>Note</th><th>Batch</th></tr></thead>
        <tbody>{{#entries}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{via}}</td><td>{{#caseID}}<a href="/herdwatch/cases/{{caseID}}">#{{caseID}}</a>{{/caseID}}</td><td>{{action}}</td><td>{{change}}</td><td>{{reason}}</td><td class="text">{{note}}</td><td><code>{{batch}}</code></td></tr>{{/entries}}</tbody></table>
        {{^hasEntries}}<p class="empty">Nothing recorded yet.</p>{{/hasEntries}}
        </section>
        {{/content}}{{/layout}}
        """

    static let metrics = pragma + """
        {{<layout}}{{$content}}
        <section>
        <h1>Metrics</h1>
        <dl class="figures">{{#figures}}<div><dt>{{label}}</dt><dd>{{value}}</dd></div>{{/figures}}</dl>
        {{#chart}}<h2>Backlog</h2><svg class="chart" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="Open cases over time"><polyline fill="none" stroke="currentColor" stroke-width="2" points="{{points}}"></polyline></svg><p class="muted">Cases not yet closed at each of the last 24 hours; the top of the chart is {{top}}.</p>{{/chart}}
        {{#tables}}<h2>{{title}}</h2><table><thead><tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}</tbody></table>{{/tables}}
        </section>
        {{/content}}{{/layout}}
        """

    static let proposals = pragma + """
        {{<layout}}{{$content}}
        <section>
        <h1>Proposals</h1>
        {{^hasProposals}}<p class="empty">No proposal is waiting.</p>{{/hasProposals}}
        {{#hasProposals}}
        <table><thead><tr><th>Case</th><th>Proposal</th><th>Target</th><th>Reason</th><th>Note</th><th>By</th><th>When</th><th></th></tr></thead>
        <tbody>{{#proposals}}<tr><td><a href="/herdwatch/cases/{{caseID}}">#{{caseID}}</a></td><td>{{action}}</td><td><code>{{target}}</code></td><td>{{reason}}</td><td class="text">{{note}}</td><td>{{by}}</td><td>{{at}}</td>
        <td><form method="post" action="/herdwatch/proposals/{{id}}/confirm" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Confirm</button></form>
        <form method="post" action="/herdwatch/proposals/{{id}}/refuse" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Refuse</button></form></td></tr>{{/proposals}}</tbody></table>
        {{/hasProposals}}
        <p class="muted">A confirmed domain block becomes a draft for the blocklists (issue 20).</p>
        </section>
        {{/content}}{{/layout}}
        """

    static let settings = pragma + """
        {{<layout}}{{$content}}
        <section>
        <h1>Settings</h1>
        <form method="post" action="/herdwatch/settings">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset><legend>Media in posts</legend>
        {{#blurChoices}}<label><input type="radio" name="blur" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/blurChoices}}
        </fieldset>
        <div class="submit"><button type="submit" class="primary">Save</button></div>
        </form>
        </section>
        {{/content}}{{/layout}}
        """

    static let users = pragma + """
        {{<layout}}{{$content}}
        <section>
        <h1>Users</h1>
        <table><thead><tr><th>Name</th><th>Role</th><th>State</th><th>Created</th></tr></thead>
        <tbody>{{#users}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{state}}</td><td>{{created}}</td></tr>{{/users}}</tbody></table>
        <p class="muted">Add and change users with <code>herdwatch user add NAME --role ROLE</code>, <code>herdwatch user role</code> and <code>herdwatch user disable</code>.</p>
        </section>
        {{/content}}{{/layout}}
        """

    static let help = pragma + """
        {{<layout}}{{$content}}
        <section class="help">
        <h1>Keyboard shortcuts</h1>
        <table><tbody>
        <tr><td><kbd>n</kbd></td><td>Next case (from the queue or a case page)</td></tr>
        <tr><td><kbd>a</kbd></td><td>Choose approve</td></tr>
        <tr><td><kbd>r</kbd></td><td>Choose reject</td></tr>
        <tr><td><kbd>e</kbd></td><td>Choose escalate</td></tr>
        <tr><td><kbd>1</kbd>–<kbd>9</kbd></td><td>Choose a reason</td></tr>
        <tr><td><kbd>t</kbd></td><td>Write a note (<kbd>Esc</kbd> leaves the note)</td></tr>
        <tr><td><kbd>m</kbd></td><td>Reveal media</td></tr>
        <tr><td><kbd>Shift</kbd>+<kbd>Enter</kbd></td><td>Submit the decision and open the next case</td></tr>
        <tr><td><kbd>Ctrl</kbd>+<kbd>Enter</kbd></td><td>Submit the decision and stay on the case</td></tr>
        <tr><td><kbd>q</kbd></td><td>Back to the queue</td></tr>
        <tr><td><kbd>?</kbd></td><td>This page</td></tr>
        </tbody></table>
        </section>
        {{/content}}{{/layout}}
        """
}
