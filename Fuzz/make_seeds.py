#!/usr/bin/env python3
"""Writes the hand-picked seed corpora in Fuzz/Corpus/<Target>/ from the repository's Fixtures/ and Rules/ and a
few hand-written inputs. Run from anywhere: python3 Fuzz/make_seeds.py. Seeds found by fuzzing and merged in
later (`make fuzz-merge`) are kept: this script only (re)writes the files it names (seed-*)."""
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "Corpus"
FIXTURES = ROOT / "Fixtures"


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / f"seed-{name}").write_bytes(data)


def json_files():
    for folder in ("activities", "actors", "malformed"):
        for path in sorted((FIXTURES / folder).glob("*.json")):
            yield folder, path


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)


# JSON parser: every fixture (activities, actors, malformed), a stream line, and edge cases.
for folder, path in json_files():
    write("FuzzJSON", f"{folder}-{path.name}", path.read_bytes())
for index, line in enumerate((FIXTURES / "demo.ndjson").read_bytes().splitlines()[:3]):
    write("FuzzJSON", f"demo-{index}", line)
json_edges = {
    "numbers": '[0,-0,1.5e300,-1e-300,1e999,123456789012345678901234567890,0.1,-12.5E+3,4e-400]',
    "escapes": r'{"a":"\u00e9\ud83d\ude00\n\t\"\\\/","\ud800":"\udc00x","k":"\u0000"}',
    "duplicates": '{"a":1,"a":2,"b":{"a":[]},"a":null}',
    "literals": '[true,false,null,{},[],""]',
    "nested": "[" * 31 + "]" * 31,
    "too-deep": "[" * 40 + "]" * 40,
    "whitespace": ' \r\n\t{ "a" : [ 1 , 2 ] } \n',
    "bad-escape": r'"\x41"',
    "bom": '\ufeff{"a":1}',
}
for name, text in json_edges.items():
    write("FuzzJSON", name, text)

# Activity decoding and normalisation: the activity fixtures, a stream line, and the actors as bare objects.
for folder, path in json_files():
    if folder != "malformed":
        write("FuzzActivity", f"{folder}-{path.name}", path.read_bytes())
for index, line in enumerate((FIXTURES / "streams" / "wave-2024-02.ndjson").read_bytes().splitlines()[:2]):
    write("FuzzActivity", f"wave-{index}", line)

# HTML to text: every HTML-looking string in the fixtures (content, summary, actor bios), and hand-written markup.
seen = set()
for folder, path in json_files():
    if folder == "malformed":
        continue
    for text in strings_in(json.loads(path.read_text())):
        if "<" in text and text not in seen:
            seen.add(text)
            write("FuzzHTMLText", hashlib.sha1(text.encode()).hexdigest()[:12], text)
html_edges = {
    "entities": "<p>a &amp; b &lt;c&gt; &#x1F600; &#128512; &nbsp;&eacute;&bogus; &#xD800; &#99999999999;</p>",
    "anchors": '<p><a href="https://a.example/@x" class="u-url mention">@<span>x</span></a> '
    '<a href="https://a.example/tags/t" rel="tag">#t</a> <a href=\'https://b.example/?q=1&amp;r=2\'>link</a></p>',
    "bare-urls": "<p>see https://a.example/path_(x)?q=1, http://b.example. and HTTPS://C.EXAMPLE/)</p>",
    "raw-text": "<script>var a = '<p>';</script><style>p{}</style><p>after</p>",
    "unterminated": "<a x <b <p class='q",
    "quote": '<p class="quote-inline">RE: <a href="https://q.example/1">https://q.example/1</a></p><br/>x',
    "comment": "<!-- <a href='https://hidden.example'> --><p>text<br>line</p>",
    "fullwidth-hashtag": "<p>＃tag and #tag</p>",
}
for name, text in html_edges.items():
    write("FuzzHTMLText", name, text)

# Hosts and URLs.
host_seeds = [
    "social.example", "Social.Example.", "xn--bcher-kva.example", "bücher.example", "EXAMPLE.COM:443",
    "[2001:db8::1]", "[::127.0.0.1]:8080", "127.0.0.1", "0x7f.1", "a..b", "-a.example", "a_b.example",
    "ｅｘａｍｐｌｅ．ｃｏｍ", "例え.テスト", "xn--", "xn--a.example", "\u00df.example",
    "https://user:pass@host.example:8443/path?q#f", "http://trusted.example\\@attacker.example/",
    "HTTPS://MIXED.Example/a", "http://[::1]/", "https://例え.テスト/パス", "mailto:someone@example.com",
    "https://a.example/path_(x)) and http://b.example.", "//no-scheme.example/",
]
for index, text in enumerate(host_seeds):
    write("FuzzHosts", f"{index:02}", text)
write("FuzzHosts", "long-label", "https://" + "a" * 70 + ".example/")

# Signature headers, as request heads (see FuzzInput.request): dated 2025-01-01T00:00:00Z, the targets' clock.
body = b'{"type":"Create","id":"https://remote.example/1"}'
sha = hashlib.sha256(body).digest()
import base64

b64 = base64.b64encode(sha).decode()
signature = base64.b64encode(b"\x01" * 256).decode()
date = "Wed, 01 Jan 2025 00:00:00 GMT"
key = "https://remote.example/users/bob#main-key"
cavage = {
    "rsa-sha256": f'keyId="{key}",algorithm="rsa-sha256",headers="(request-target) host date digest",'
    f'signature="{signature}"',
    "hs2019-created": f'keyId="{key}",algorithm="hs2019",created=1735689600,expires=1735689900,'
    f'headers="(request-target) (created) (expires) host digest",signature="{signature}"',
    "no-headers": f'keyId="{key}",signature="{signature}"',
    "odd": 'keyId="a\\"b",headers="",signature="",algorithm=,extra="x",keyId="again"',
}
for name, header in cavage.items():
    head = (
        "POST /users/alice/inbox?x=1\nHost: social.example\n"
        f"Date: {date}\nDigest: SHA-256={b64}\nSignature: {header}\n\n"
    )
    write("FuzzCavageSignature", name, head.encode() + body)
write("FuzzCavageSignature", "get", f"GET /users/bob\nHost: remote.example\nDate: {date}\n"
      f'Signature: keyId="{key}",headers="(request-target) host date",signature="{signature}"\n')
write("FuzzCavageSignature", "dates", f"POST /inbox\nDate: Wednesday, 01-Jan-25 00:00:00 GMT\n"
      f"Date: Wed Jan  1 00:00:00 2025\nSignature: keyId=\"{key}\",headers=\"date\",signature=\"{signature}\"\n")

rfc9421 = {
    "basic": ('sig1=("@method" "@target-uri" "content-digest");created=1735689600;'
              f'keyid="{key}";alg="rsa-v1_5-sha256"', f"sig1=:{signature}:"),
    "expires": ('sig1=("@method" "@target-uri" "content-digest" "@authority" "@path" "@query" "date");'
                f'created=1735689600;expires=1735690000;keyid="{key}"', f"sig1=:{signature}:"),
    "two-labels": (f'a=("@method");created=1;keyid="k", b=("@method");created=2;keyid="k"', "a=:AAAA:, b=:AAAA:"),
    "params": ('sig=("@method";req "@query-param";name="q" "x-h";sf "y";bs);created=-5;keyid="k";'
               'nonce="n";tag="t";x=?1;y=1.5;z=tok*en', "sig=:/w==:;p=1"),
}
for name, (signature_input, signature_value) in rfc9421.items():
    head = (
        "POST /users/alice/inbox?q=1\nHost: social.example\n"
        f"Content-Digest: sha-256=:{b64}:, sha-512=:AAAA:\nDate: {date}\n"
        f"Signature-Input: {signature_input}\nSignature: {signature_value}\n\n"
    )
    write("FuzzMessageSignature", name, head.encode() + body)

# The rule loader: every rule file in Rules/, and hand-written files for the policy and each kind of condition.
for path in sorted((ROOT / "Rules").glob("*.yaml")):
    write("FuzzRuleLoader", path.name, path.read_bytes())
write("FuzzRuleLoader", "policy-limits", """policy:
  thresholds: {flag: 3, hold: 6, reject: 10}
  limits: {match: 100000, depth: 1000, heap_kib: 1024}
rules: []
""")
write("FuzzRuleLoader", "broken", "rules:\n  - id: a\n    when: {regex: '(unclosed'}\n  - id: a\n    score: x\n  - [\n")
