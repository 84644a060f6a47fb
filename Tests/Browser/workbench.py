#!/usr/bin/python3
"""Browser tests of the review workbench: headless Chromium (Debian's chromium and chromium-driver) driven by
Selenium, against a real `herdwatch serve` on 127.0.0.1 with a fresh SQLite file.

Usage: /usr/bin/python3 Tests/Browser/workbench.py HERDWATCH_BINARY [ARTIFACTS_DIR]
Screenshots of the queue, of case pages and of the blocklists page are saved in ARTIFACTS_DIR (default .build/artifacts/browser).
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

HERDWATCH = None
ARTIFACTS = None
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Server:
    """`herdwatch serve --port 0` on a new database, with a moderator account and a check token."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="herdwatch-browser-")
        self.db = os.path.join(self.folder, "herdwatch.sqlite")
        self.password = "correct horse battery staple"
        self.cli(["user", "add", "mona", "--role", "moderator", "--password-stdin"], stdin=self.password + "\n")
        self.token = self.cli(["token", "create", "--scope", "check", "--name", "browser-test"]).strip().splitlines()[-1]
        self.process = subprocess.Popen(
            [HERDWATCH, "serve", "--port", "0", "--db", self.db, "--rules", os.path.join(ROOT, "Rules"), "--log-level", "warning"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.base = None
        deadline = time.time() + 60
        output = []
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            output.append(line)
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if match:
                self.base = match.group(1)
                break
        if self.base is None:
            self.stop()
            raise RuntimeError("herdwatch serve did not start:\n" + "".join(output))

    def cli(self, arguments, stdin=None):
        result = subprocess.run(
            [HERDWATCH] + arguments + ["--db", self.db], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"herdwatch {' '.join(arguments)} failed: {result.stderr}")
        return result.stdout

    def check(self, activity):
        request = urllib.request.Request(
            self.base + "/api/v1/check", data=json.dumps(activity).encode(), method="POST",
            headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/activity+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def note(number, content, actor="https://spam.example/users/bot{n}", summary=None, attachments=None):
    actor = actor.format(n=number)
    obj = {"id": f"{actor}/statuses/{number}", "type": "Note", "attributedTo": actor, "content": content,
           "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    if summary:
        obj["summary"] = summary
    if attachments:
        obj["attachment"] = attachments
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/activities/{number}", "type": "Create",
            "actor": actor, "to": ["https://www.w3.org/ns/activitystreams#Public"], "object": obj}


def spam(number, text="Free followers at", host="spam.example"):
    """A post the default rules hold: a link plus many mentions, as in the February 2024 wave."""
    mentions = "".join(f'<span class="h-card"><a href="https://victims.example/@user{i}" class="u-url mention">@user{i}</a></span> '
                       for i in range(6))
    return note(number, f"<p>{mentions}{text} <a href=\"https://ctkpaarr.org/x\">https://ctkpaarr.org/x</a></p>",
                actor=f"https://{host}/users/bot{{n}}")


HOSTILE = (
    "<p>" + "".join(f'<span class="h-card"><a href="https://victims.example/@user{i}" class="u-url mention">@user{i}</a></span> '
                    for i in range(6)) + "Free followers at <a href=\"https://ctkpaarr.org/x\">https://ctkpaarr.org/x</a> &lt;script&gt;window.__pwned=1&lt;/script&gt; <script>window.__pwned=2</script>"
    "<img src=\"https://tracker.example/pixel.png\" onerror=\"window.__pwned=3\">"
    "<a href=\"javascript:window.__pwned=4\">click me</a> &lt;img src=x onerror=window.__pwned=5&gt;"
    "<svg onload=\"window.__pwned=6\"><circle r=\"5\"/></svg>"
    "<style>body{display:none}</style><span style=\"background:url(https://tracker.example/css.png)\">styled</span>"
    "&lt;a href=\"javascript:alert(7)\"&gt;x&lt;/a&gt;</p>"
)


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,900"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class WorkbenchBrowserTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.driver = browser()
        # A form post replaces the page: an element found on the old page goes stale while the wait reads it.
        cls.wait = WebDriverWait(cls.driver, 15,
                                 ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.stop()

    def keys(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def main_text(self):
        """The text of the page's <main>, read in one script call: while a form post replaces the page, an element
        handle from the old document fails in ways Selenium does not always report as stale, so none is held."""
        try:
            return self.driver.execute_script(
                "const main = document.querySelector('main'); return main ? main.innerText : '';") or ""
        except WebDriverException:
            return ""

    def sign_in(self, username="mona"):
        self.driver.get(self.server.base + "/herdwatch/")
        self.wait.until(lambda d: "/herdwatch/login" in d.current_url)
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(self.server.password + Keys.ENTER)
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.queue"))

    def requests_made(self):
        """URLs the page asked the network for since the last call."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def test_1_sign_in_and_work_three_cases_with_the_keyboard(self):
        ids = [(self.server.check(spam(n))["case"] or {}).get("id") for n in range(1, 4)]
        self.assertTrue(all(ids), "the default rules should hold every spam post")
        self.sign_in()
        self.assertIn("Queue", self.driver.title)
        self.driver.save_screenshot(os.path.join(ARTIFACTS, "queue.png"))
        self.keys("n")
        for number in range(3):
            self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.case"))
            case_id = self.driver.find_element(By.CSS_SELECTOR, "article.case").get_attribute("data-case-id")
            if number == 0:
                self.driver.save_screenshot(os.path.join(ARTIFACTS, "case.png"))
            self.keys("r")
            self.keys("1")
            self.keys("t")
            self.keys(f"keyboard decision {number}")
            self.keys(Keys.ESCAPE)
            self.keys(Keys.SHIFT, Keys.ENTER, Keys.SHIFT)
            self.wait.until(lambda d: f"/herdwatch/cases/{case_id}" not in d.current_url)
        for case_id in ids:
            self.driver.get(self.server.base + f"/herdwatch/cases/{case_id}")
            states = self.driver.find_elements(By.CSS_SELECTOR, "h1 .state")
            self.assertTrue(states, f"case {case_id}: {self.driver.current_url}\n{self.driver.find_element(By.TAG_NAME, 'main').text}")
            self.assertIn("rejected", states[0].text)

    def test_2_hostile_post_renders_as_text(self):
        answer = self.server.check(note(99, HOSTILE, actor="https://hostile.example/users/mallory",
                                        summary="&lt;b onmouseover=window.__pwned=8&gt;cw&lt;/b&gt;",
                                        attachments=[{"type": "Document", "mediaType": "image/svg+xml",
                                                      "url": "https://127.0.0.1:9/media.svg", "name": "<img src=x onerror=window.__pwned=9>"}]))
        case_id = (answer["case"] or {}).get("id")
        self.assertTrue(case_id, f"the hostile post should be held: {answer}")
        if not self.driver.get_cookies():
            self.sign_in()
        self.requests_made()
        self.driver.get(self.server.base + f"/herdwatch/cases/{case_id}")
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.case"))
        self.keys("m")  # reveal media: shows the address as text, loads nothing
        time.sleep(1)
        self.assertIsNone(self.driver.execute_script("return window.__pwned"))
        self.assertEqual(1, len(self.driver.find_elements(By.TAG_NAME, "script")))
        for tag in ["svg", "iframe", "object", "embed", "style"]:
            self.assertEqual([], self.driver.find_elements(By.CSS_SELECTOR, f"main {tag}"), f"a {tag} element was rendered")
        # The only images are Herdwatch's own preview slots, whose source is Herdwatch's media proxy.
        for image in self.driver.find_elements(By.CSS_SELECTOR, "main img"):
            self.assertEqual("media-image", image.get_attribute("class"))
            self.assertTrue((image.get_attribute("src") or "").startswith(self.server.base + f"/herdwatch/cases/{case_id}/media/"))
        for link in self.driver.find_elements(By.CSS_SELECTOR, "a"):
            self.assertFalse((link.get_attribute("href") or "").startswith("javascript:"))
        text = self.driver.find_element(By.ID, "post-text").text
        self.assertIn("<script>window.__pwned=1</script>", text)
        self.assertIn("<img src=x onerror=window.__pwned=5>", text)
        foreign = [url for url in self.requests_made() if not url.startswith(self.server.base) and not url.startswith("data:")]
        self.assertEqual([], foreign, "the case page made requests outside Herdwatch")
        self.driver.save_screenshot(os.path.join(ARTIFACTS, "hostile-case.png"))

    def test_3_bulk_decide_a_campaign(self):
        text = "Cheap crypto signals, join our channel today and get rich"
        ids = [(self.server.check(spam(200 + n, text=text, host=f"wave{n % 3}.example"))["case"] or {}).get("id") for n in range(4)]
        self.assertTrue(all(ids), f"the default rules should hold every campaign post: {ids}")
        if not self.driver.get_cookies():
            self.sign_in()
        self.driver.get(self.server.base + f"/herdwatch/cases/{ids[0]}")
        link = self.driver.find_element(By.LINK_TEXT, "Campaign: decide this case with its near-duplicates…")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        self.wait.until(lambda d: d.find_elements(By.ID, "bulk-form"))
        summary = self.driver.find_element(By.CSS_SELECTOR, "section.cluster p").text
        self.assertIn("4 open case(s)", summary)
        self.assertIn("4 actor(s)", summary)
        self.assertIn("3 domain(s)", summary)
        self.driver.save_screenshot(os.path.join(ARTIFACTS, "campaign.png"))
        for selector in ["#action-reject", 'input[name="reason"][value="spam"]', "#bulk-submit"]:
            element = self.driver.find_element(By.CSS_SELECTOR, selector)
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
            element.click()
        self.wait.until(lambda d: "Bulk decision recorded" in self.main_text())
        self.assertIn("4 case(s) rejected", self.main_text())
        for case_id in ids:
            self.driver.get(self.server.base + f"/herdwatch/cases/{case_id}")
            self.assertIn("rejected", self.driver.find_element(By.CSS_SELECTOR, "h1 .state").text)

    def test_4_a_lead_reviews_blocklist_drafts(self):
        self.server.cli(["user", "add", "lena", "--role", "lead", "--password-stdin"], stdin=self.server.password + "\n")
        # What the subscription fetcher would have saved: a peer list with a hostile comment.
        database = sqlite3.connect(self.server.db, timeout=30)
        with database:
            database.execute(
                "INSERT INTO blocklist_subscription (id, url, format, token, public_keys, weight, severity_cap, trusted_reasons,"
                " priority, auto_apply, enabled, fetch_interval, created_at)"
                " VALUES ('garden', 'https://garden.example/list.csv', NULL, NULL, '', 1, 'suspend', NULL, 0, '', 1, 3600, 0)")
            for domain, severity, comment in [("spamwave.example", "suspend", "<script>window.__pwned=10</script> spam wave"),
                                              ("rude.example", "silence", "rude")]:
                database.execute(
                    "INSERT INTO subscription_block (subscription_id, domain, severity, reject_media, reject_reports,"
                    " private_comment, public_comment, obfuscate, reasons, evidence, state, revision, origin_kind, origin_name,"
                    " origin_at, origin_note) VALUES ('garden', ?, ?, 0, 0, '', ?, 0, 'spam', '[]', 'active', 1,"
                    " 'subscription', 'garden', NULL, NULL)", (domain, severity, comment))
        database.close()
        self.driver.delete_all_cookies()
        self.sign_in("lena")
        self.driver.find_element(By.LINK_TEXT, "Blocklists").click()
        self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.blocklists"))
        main = self.driver.find_element(By.TAG_NAME, "main").text
        self.assertIn("<script>window.__pwned=10</script> spam wave", main)
        self.assertIsNone(self.driver.execute_script("return window.__pwned"))
        self.assertEqual(1, len(self.driver.find_elements(By.TAG_NAME, "script")))
        self.driver.save_screenshot(os.path.join(ARTIFACTS, "blocklists.png"))
        self.driver.find_element(By.CSS_SELECTOR, 'tr[data-domain="spamwave.example"] button.approve').click()
        self.wait.until(lambda d: "none \u2192 suspend" in self.main_text())
        self.driver.find_element(By.CSS_SELECTOR, 'tr[data-domain="rude.example"] button.dismiss').click()
        self.wait.until(lambda d: "No draft" in self.main_text())
        self.driver.save_screenshot(os.path.join(ARTIFACTS, "blocklists-reviewed.png"))
        self.assertIn("spamwave.example\tsuspend", self.server.cli(["blocklist", "list"]))
        self.assertIn("lena", self.server.cli(["blocklist", "batches"]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    HERDWATCH = os.path.abspath(sys.argv[1])
    ARTIFACTS = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, ".build", "artifacts", "browser"))
    os.makedirs(ARTIFACTS, exist_ok=True)
    unittest.main(argv=sys.argv[:1], verbosity=2)
