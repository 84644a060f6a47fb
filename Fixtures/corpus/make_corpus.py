#!/usr/bin/env python3
"""Writes a labelled evaluation corpus for `herdwatch eval`: NDJSON envelopes with `label` (spam/ham) and `slice`.

    make_corpus.py [--seed N] [--count N] [--out FILE] [--waves NAME,...] [--wave-size N] [--days N]

Two weeks of inbox traffic as an instance (`here.example`, local users https://here.example/users/NAME) receives
it, in time order, every item an envelope with the sender's actor document (so account age is known) and
"signature": "verified".

Ham slices (the hard legitimate cases of the reference notes' §4 pitfalls, plus ordinary traffic):
  ham/ordinary          many people on many servers, in many languages (Japanese, Korean, Arabic, ...), each in
                        their own words; replies, links, hashtags, pictures, likes and boosts
  ham/mutual-threads    friends mentioning each other, up to 15 mentions, thread starters with links
  ham/newcomers         accounts a few hours old, often without avatar, mostly non-Latin, greeting people
  ham/news-bots         `Service` actors posting headlines with links; syndicated wire stories repeat across bots
  ham/newsletters       `Article`s with several links from blogs and newsletter bridges
  ham/copy-paste        fundraisers, petitions and flyers copy-pasted by established accounts on many servers
  ham/graph             `Accept{Follow}`: local users follow some of those copy-pasting accounts
  ham/art               art posts with an image and 10-25 hashtags
  ham/quotes            quote posts (`RE: url`)
  ham/spam-servers      ordinary users of the servers that also sent spam
  ham/follows           people following local users, newcomers among them
  ham/dms               direct messages between people, some with a photo

Spam slices, one per wave of the reference notes' §3, each split by time into a part to tune rules on (days 1-6)
and a part only to test on (days 8-13), with other servers and other wording in the test part:
  wave-2018-ads             freshly registered accounts with random names advertising shops, no mentions
  wave-2019-replies         a few accounts sending the same text as unsolicited replies to many people
  wave-2019-follows         dozens of minutes-old accounts on one server following the same local users
  wave-2024-02              link first, then 4-5 mentions of Misskey users, 10-character names, Japanese
  wave-2024-10-mentions     ten mentions and an invite link from minutes-old accounts
  wave-2024-11-qr           ten mentions under a picture (shared blurhash) whose QR code carries the link
  wave-nicole-dms           private messages from fresh accounts introducing a "fedi girl", with a photo

Python 3 standard library only; the same --seed and --count give the same bytes.
"""
import argparse
import json
import random
import string
import sys
import zlib
from datetime import datetime, timedelta, timezone

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
LOCAL = "here.example"
START = datetime(2025, 3, 3, 0, 0, tzinfo=timezone.utc)
WAVES = ["wave-2018-ads", "wave-2019-replies", "wave-2019-follows", "wave-2024-02", "wave-2024-10-mentions",
         "wave-2024-11-qr", "wave-nicole-dms"]
B83 = string.digits + string.ascii_uppercase + string.ascii_lowercase + "#$%*+,-.:;=?@[]^_{|}~"


def iso(at):
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class Corpus:
    def __init__(self, seed, count, days):
        self.rng = random.Random(seed)
        self.count = count
        self.days = days
        self.items = []
        self.serial = 0
        self.local_users = [f"https://{LOCAL}/users/{n}" for n in self.names(60, "local")]
        self.servers = self.make_servers()
        self.people = [self.person(self.rng.choice(self.servers)) for _ in range(max(300, count // 12))]
        self.posts = []  # (url, author) of earlier ham posts, for replies, quotes and boosts

    # ---------- people and servers ----------

    def names(self, n, salt):
        first = ["ana", "ben", "chloe", "dario", "emi", "farid", "greta", "hiro", "ines", "jonas", "kaori", "lea",
                 "malik", "nora", "oskar", "priya", "quentin", "rosa", "sven", "tomoko", "uma", "victor", "wen",
                 "xavier", "yuna", "zeynep", "minji", "seojun", "layla", "omar", "haruto", "aiko", "lucas", "maya",
                 "nadia", "pablo", "rin", "sami", "tariq", "yara"]
        tail = ["", "_", ".", "", ""]
        out = set()
        while len(out) < n:
            out.add(self.rng.choice(first) + self.rng.choice(tail) + self.rng.choice(
                ["", str(self.rng.randint(1, 99)), self.rng.choice(["art", "dev", "cat", "reads", "runs", "photo"])]))
        return sorted(out)

    def make_servers(self):
        roots = ["mastodon", "social", "toot", "fedi", "misskey", "masto", "pleroma", "gts", "sharkey", "chaos",
                 "hachyderm", "mstdn", "pawoo", "kbin", "pixel", "photog", "writing", "scholar", "city", "tech"]
        tlds = ["example", "example.org", "example.net", "test", "example.jp", "example.kr", "example.de"]
        servers = set()
        while len(servers) < 140:
            servers.add(f"{self.rng.choice(roots)}{self.rng.randint(1, 400)}.{self.rng.choice(tlds)}")
        return sorted(servers)

    def person(self, host, lang=None, age_days=None, kind="Person", avatar=None, name=None):
        rng = self.rng
        lang = lang or rng.choices(["en", "de", "fr", "es", "pt", "ja", "ko", "ar", "it", "nl"],
                                   [30, 10, 8, 8, 5, 14, 7, 6, 5, 4])[0]
        username = name or self.handle(lang)
        age = age_days if age_days is not None else rng.choice([rng.uniform(30, 300), rng.uniform(300, 2500)])
        return {"host": host, "username": username, "lang": lang, "age_days": age, "kind": kind,
                "avatar": rng.random() < 0.9 if avatar is None else avatar,
                "display": self.display_name(username, lang), "id": f"https://{host}/users/{username}"}

    def handle(self, lang):
        rng = self.rng
        base = rng.choice(["ana", "ben", "lina", "kofi", "mei", "taro", "sora", "jiwoo", "hana", "amir", "noor",
                           "elif", "finn", "ida", "joao", "karl", "lotte", "mateo", "nina", "otto", "pia", "ravi",
                           "saki", "theo", "ulla", "vera", "wim", "yusuf", "zoe", "akira", "daeho", "fatima"])
        return base + rng.choice(["", "_", "."]) + rng.choice(
            [str(rng.randint(1, 9999)), rng.choice(["draws", "codes", "bakes", "hikes", "knits", "plays", "sings",
                                                    "writes", "reads", "on_fedi"]), ""])

    def display_name(self, username, lang):
        names = {"ja": ["さくら", "たろう", "みどり", "ゆうき", "ひなた"], "ko": ["민지", "서준", "하은", "지호"],
                 "ar": ["ليلى", "عمر", "نور", "سامي"]}
        if lang in names and self.rng.random() < 0.6:
            return self.rng.choice(names[lang]) + self.rng.choice(["", " 🌸", " ☕", "@休止中"])
        return username.replace("_", " ").replace(".", " ").title()

    def actor_doc(self, p, at):
        published = at - timedelta(days=p["age_days"])
        doc = {"id": p["id"], "type": p["kind"], "preferredUsername": p["username"], "name": p["display"],
               "published": iso(published), "inbox": p["id"] + "/inbox"}
        if p["avatar"]:
            doc["icon"] = {"type": "Image", "mediaType": "image/png",
                           "url": f"https://{p['host']}/avatars/{zlib.crc32(p['id'].encode())}.png"}
        return doc

    # ---------- activities ----------

    def emit(self, at, label, slice_, actor, activity):
        self.serial += 1
        self.items.append((at, self.serial, {"id": f"{slice_}#{self.serial}", "label": label, "slice": slice_,
                                             "signature": "verified", "activity": activity,
                                             "actor": self.actor_doc(actor, at)}))

    def note(self, p, at, text, mentions=(), links=(), hashtags=(), reply=None, attachments=(), visibility="public",
             kind="Note", quote=None, name=None, lang=None):
        self.serial += 1
        ident = f"{p['id']}/statuses/{self.serial}"
        html = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
        if links:
            html += "<p>" + " ".join(f'<a href="{u}" rel="nofollow noopener">{u.split("://", 1)[1]}</a>' for u in links) + "</p>"
        if hashtags:
            html += "<p>" + " ".join(
                f'<a href="https://{p["host"]}/tags/{h}" class="mention hashtag" rel="tag">#<span>{h}</span></a>'
                for h in hashtags) + "</p>"
        if mentions:
            html = " ".join(
                f'<span class="h-card"><a href="{m}" class="u-url mention">@<span>{m.rsplit("/", 1)[-1]}</span></a></span>'
                for m in mentions) + " " + html
        if quote:
            html += f'<p class="quote-inline">RE: <a href="{quote}">{quote}</a></p>'
        tags = [{"type": "Mention", "href": m, "name": "@" + m.rsplit("/", 1)[-1] + "@" + m.split("/")[2]}
                for m in mentions]
        tags += [{"type": "Hashtag", "href": f"https://{p['host']}/tags/{h}", "name": "#" + h} for h in hashtags]
        if visibility == "public":
            to, cc = [PUBLIC], [p["id"] + "/followers"] + list(mentions)
        elif visibility == "unlisted":
            to, cc = [p["id"] + "/followers"], [PUBLIC] + list(mentions)
        else:
            to, cc = list(mentions), []
        obj = {"id": ident, "type": kind, "attributedTo": p["id"], "published": iso(at), "to": to, "cc": cc,
               "content": html, "tag": tags,
               "contentMap": {lang or p["lang"]: html}}
        if name:
            obj["name"] = name
        if reply:
            obj["inReplyTo"] = reply
        if quote:
            obj["quoteUrl"] = quote
        if attachments:
            obj["attachment"] = list(attachments)
        return {"@context": "https://www.w3.org/ns/activitystreams", "id": ident + "/activity", "type": "Create",
                "actor": p["id"], "published": iso(at), "to": to, "cc": cc, "object": obj}

    def image(self, host, blurhash=None, alt=None):
        self.serial += 1
        return {"type": "Document", "mediaType": "image/jpeg", "url": f"https://{host}/media/{self.serial:08x}.jpg",
                "blurhash": blurhash or self.blurhash(), "name": alt, "width": 1200, "height": 900}

    def blurhash(self):
        return "".join(self.rng.choice(B83) for _ in range(28))

    def follow(self, p, at, target):
        self.serial += 1
        return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{p['id']}#follows/{self.serial}",
                "type": "Follow", "actor": p["id"], "object": target, "published": iso(at)}

    def accept_follow(self, p, at, local):
        self.serial += 1
        return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{p['id']}#accepts/{self.serial}",
                "type": "Accept", "actor": p["id"], "published": iso(at),
                "object": {"id": f"{local}#follows/{self.serial}", "type": "Follow", "actor": local, "object": p["id"]}}

    def at(self, first_day=0.0, last_day=None):
        last_day = self.days if last_day is None else last_day
        return START + timedelta(seconds=self.rng.uniform(first_day * 86400, last_day * 86400))

    # ---------- text ----------

    def words(self, lang):
        rng = self.rng
        if lang == "ja":
            return rng.choice(["今日は", "朝から", "週末に", "さっき", "久しぶりに", "仕事帰りに", "夜中に"]) + rng.choice(
                ["近所の公園で", "駅前のカフェで", "図書館で", "実家で", "職場で", "川沿いで", "商店街で"]) + rng.choice(
                ["猫を見かけた", "新しい本を読み始めた", "ラーメンを食べた", "写真を撮った", "絵を描いた", "コードを書いた",
                 "雨に降られた", "友達と話した", "パンを焼いた", "散歩した"]) + rng.choice(
                ["。", "！", "😊", "。楽しかった", "。また行きたい", "。眠い", "。明日も頑張る"]) + rng.choice(
                ["", "", "それにしても" + rng.choice(["寒い", "暑い", "風が強い", "空がきれい"]) + "。"]) + str(rng.randint(1, 99)) * (rng.random() < 0.2)
        if lang == "ko":
            return rng.choice(["오늘은", "아침에", "주말에", "방금", "오랜만에", "퇴근길에"]) + " " + rng.choice(
                ["동네 공원에서", "카페에서", "도서관에서", "회사에서", "강가에서", "시장에서"]) + " " + rng.choice(
                ["고양이를 봤어요", "책을 읽었어요", "국수를 먹었어요", "사진을 찍었어요", "그림을 그렸어요",
                 "코드를 짰어요", "비를 맞았어요", "친구를 만났어요", "빵을 구웠어요"]) + rng.choice(
                [".", "!", " 😊", ". 재밌었다", ". 피곤하다", ". 내일도 화이팅"]) + rng.choice(
                ["", " 날씨가 " + rng.choice(["춥네요", "덥네요", "좋네요"])])
        if lang == "ar":
            return rng.choice(["اليوم", "في الصباح", "في عطلة نهاية الأسبوع", "منذ قليل", "بعد العمل"]) + " " + rng.choice(
                ["قرأت كتابا جديدا", "مشيت في الحديقة", "طبخت عشاء لذيذا", "التقطت صورا للغروب", "رسمت لوحة صغيرة",
                 "كتبت بعض الشيفرة", "زرت صديقا قديما", "شربت قهوة في المقهى"]) + " " + rng.choice(
                ["وكان الجو جميلا", "وأنا سعيد", "والآن أشعر بالتعب", "وأريد أن أعود غدا", ""]) + rng.choice([".", "!", " 🌿"])
        vocab = {
            "en": (["Finally", "This morning I", "Yesterday we", "Just", "Today I", "After work I", "Somehow I"],
                   ["fixed", "planted", "read", "baked", "painted", "rewrote", "repaired", "photographed", "found",
                    "cooked", "finished", "started"],
                   ["the old bike", "a lemon cake", "two chapters", "the garden fence", "our build scripts",
                    "a tiny heron", "the kitchen shelf", "a sourdough loaf", "my thesis draft", "the cat tree",
                    "a Rust parser", "the band's setlist", "some tomato seedlings", "grandma's radio"],
                   ["and it went fine", "with more coffee than planned", "in the rain", "before lunch",
                    "while the kids slept", "and learned a lot", "badly, but still", "with help from a friend"]),
            "de": (["Heute habe ich", "Gestern haben wir", "Endlich", "Nach der Arbeit habe ich", "Am Wochenende"],
                   ["repariert", "gebacken", "gelesen", "gemalt", "umgeschrieben", "fotografiert", "gepflanzt"],
                   ["das alte Fahrrad", "einen Apfelkuchen", "zwei Kapitel", "den Gartenzaun", "das Regal",
                    "unsere Skripte", "einen Reiher", "die Tomaten"],
                   ["und es hat geklappt", "im Regen", "mit viel Kaffee", "vor dem Mittag", "mit Freunden"]),
            "fr": (["Aujourd'hui j'ai", "Hier nous avons", "Enfin", "Ce matin j'ai", "Après le travail j'ai"],
                   ["réparé", "cuisiné", "lu", "peint", "réécrit", "photographié", "planté"],
                   ["le vieux vélo", "une tarte aux pommes", "deux chapitres", "la clôture", "l'étagère",
                    "nos scripts", "un héron", "les tomates"],
                   ["et ça a marché", "sous la pluie", "avec trop de café", "avant midi", "avec des amis"]),
            "es": (["Hoy he", "Ayer hemos", "Por fin", "Esta mañana he", "Después del trabajo he"],
                   ["arreglado", "cocinado", "leído", "pintado", "reescrito", "fotografiado", "plantado"],
                   ["la bici vieja", "una tarta", "dos capítulos", "la valla", "la estantería", "los scripts",
                    "una garza", "los tomates"],
                   ["y salió bien", "bajo la lluvia", "con mucho café", "antes de comer", "con amigos"]),
        }
        a, b, c, d = vocab.get(lang, vocab["en"])
        sentence = f"{rng.choice(a)} {rng.choice(b)} {rng.choice(c)} {rng.choice(d)}."
        if rng.random() < 0.6:
            sentence += " " + rng.choice(["Next up:", "Tomorrow:", "Still need to do", "Also thinking about"]) + " " + \
                rng.choice(c) + rng.choice([".", "!", " 🙂", "?"])
        if rng.random() < 0.3:
            sentence += f" ({rng.randint(2, 60)} {rng.choice(['minutes', 'days', 'tries', 'pages'])})"
        return sentence

    # ---------- ham ----------

    def ordinary(self, n):
        rng = self.rng
        for _ in range(n):
            p = rng.choice(self.people)
            at = self.at()
            roll = rng.random()
            if roll < 0.08 and self.posts:
                url, author = rng.choice(self.posts)
                self.serial += 1
                kind = rng.choice(["Like", "Announce"])
                act = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{p['id']}#{kind.lower()}/{self.serial}",
                       "type": kind, "actor": p["id"], "object": url, "published": iso(at)}
                if kind == "Announce":
                    act["to"] = [PUBLIC]
                self.emit(at, "ham", "ham/ordinary", p, act)
                continue
            mentions, reply = [], None
            if roll < 0.35 and self.posts:
                reply, author = rng.choice(self.posts)
                mentions = [author]
                if rng.random() < 0.2:
                    mentions.append(rng.choice(self.local_users))
            elif roll < 0.45:
                mentions = [rng.choice(self.local_users)]
            links = [f"https://{rng.choice(['blog', 'news', 'wiki', 'shop', 'video'])}{rng.randint(1, 300)}.example/{rng.randint(1000, 99999)}"] if rng.random() < 0.2 else []
            tags = rng.sample(["photography", "caturday", "gardening", "rust", "swift", "books", "cycling", "music",
                               "baking", "linux", "birds", "爱猫", "写真", "사진", "고양이", "programming"],
                              rng.choice([0, 0, 0, 1, 2, 3]))
            media = [self.image(p["host"], alt=rng.choice([None, "a photo"]))] if rng.random() < 0.15 else []
            activity = self.note(p, at, self.words(p["lang"]), mentions, links, tags, reply, media,
                                 visibility=rng.choices(["public", "unlisted"], [8, 2])[0])
            self.emit(at, "ham", "ham/ordinary", p, activity)
            self.posts.append((activity["object"]["id"], p["id"]))

    def mutual_threads(self, n):
        rng = self.rng
        made = 0
        while made < n:
            group = rng.sample(self.people, rng.randint(4, 14)) + [None] * rng.randint(0, 2)
            ids = [g["id"] if g else rng.choice(self.local_users) for g in group]
            at = self.at(0, self.days - 0.2)
            starter = group[0]
            text = rng.choice(["Board game night this Friday, who is in?", "Photos from the hike are up",
                               "Draft of our zine, comments welcome", "Meetup notes from yesterday",
                               "Who wants to co-write the grant?", "Thread: our trip plans"]) + " " + self.words(starter["lang"])
            links = [f"https://files{rng.randint(1, 50)}.example/{rng.randint(10000, 99999)}"] if rng.random() < 0.5 else []
            first = self.note(starter, at, text, [i for i in ids if i != starter["id"]], links)
            self.emit(at, "ham", "ham/mutual-threads", starter, first)
            made += 1
            parent = first["object"]["id"]
            for _ in range(rng.randint(3, 10)):
                speaker = rng.choice([g for g in group if g])
                at += timedelta(minutes=rng.uniform(1, 40))
                reply = self.note(speaker, at, self.words(speaker["lang"]), [i for i in ids if i != speaker["id"]], reply=parent)
                self.emit(at, "ham", "ham/mutual-threads", speaker, reply)
                parent = reply["object"]["id"]
                made += 1

    def newcomers(self, n):
        rng = self.rng
        greetings = {"ja": ["はじめまして！", "今日から始めました", "よろしくお願いします", "引っ越してきました"],
                     "ko": ["안녕하세요! 처음 왔어요", "오늘 가입했어요", "잘 부탁드립니다"],
                     "ar": ["مرحبا بالجميع، أنا جديد هنا", "سعيد بالانضمام", "أول منشور لي"],
                     "en": ["Hello fediverse! First post", "New here, hi everyone", "Finally made the jump"]}
        for _ in range(n):
            lang = rng.choices(["ja", "ko", "ar", "en"], [5, 3, 2, 1])[0]
            # Most newcomers join a few big general-purpose servers, which introduce many new accounts a day.
            host = rng.choice(self.servers[:4]) if rng.random() < 0.5 else rng.choice(self.servers)
            p = self.person(host, lang=lang, age_days=rng.uniform(0.02, 3), avatar=rng.random() < 0.4)
            if rng.random() < 0.4:
                p["display"] = p["username"]
            for _ in range(rng.randint(1, 3)):
                at = self.at()
                mentions = rng.sample([q["id"] for q in self.people] + self.local_users, rng.choice([0, 0, 1, 2, 3]))
                text = rng.choice(greetings[lang]) + " " + self.words(lang)
                tags = rng.sample(["introduction", "はじめまして", "자기소개", "新人"], rng.choice([0, 1, 2]))
                self.emit(at, "ham", "ham/newcomers", p, self.note(p, at, text, mentions, hashtags=tags))

    def news_bots(self, n):
        rng = self.rng
        bots = [self.person(f"{rng.choice(['news', 'feeds', 'rss', 'press'])}{i}.example", lang="en",
                            age_days=rng.uniform(200, 2000), kind="Service", name=f"{rng.choice(['wire', 'daily', 'local', 'tech'])}bot{i}")
                for i in range(12)]
        subjects = ["City council", "Researchers", "The central bank", "Rail operator", "Heat wave", "Election board",
                    "Local library", "Space agency", "Hospital staff", "Port workers", "Court", "Football club"]
        verbs = ["approves", "warns about", "delays", "announces", "rejects", "expands", "reviews", "celebrates"]
        objects = ["new budget", "bridge repairs", "night trains", "flood defences", "school meals", "data law",
                   "satellite launch", "wage deal", "museum reopening", "bike lanes"]
        stories = []
        for _ in range(n):
            bot = rng.choice(bots)
            at = self.at()
            if stories and rng.random() < 0.3:
                headline = rng.choice(stories)  # the same wire story from several bots
            else:
                headline = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} in {rng.choice(['Lyon', 'Osaka', 'Leeds', 'Porto', 'Busan', 'Tunis', 'Graz'])} after {rng.randint(2, 30)} months"
                stories.append(headline)
            link = f"https://{bot['host'].replace('.example', '')}-site.example/{at:%Y/%m/%d}/{rng.randint(100000, 999999)}"
            tags = rng.sample(["news", "politics", "science", "transport", "climate", "economy"], rng.randint(0, 3))
            self.emit(at, "ham", "ham/news-bots", bot, self.note(bot, at, headline, links=[link], hashtags=tags))

    def newsletters(self, n):
        rng = self.rng
        writers = [self.person(rng.choice(self.servers), age_days=rng.uniform(100, 2000),
                               kind=rng.choice(["Person", "Service"])) for _ in range(25)]
        for _ in range(n):
            w = rng.choice(writers)
            at = self.at()
            title = f"{rng.choice(['Weekly notes', 'Issue', 'Field report', 'Digest'])} #{rng.randint(1, 300)}: {rng.choice(['soil', 'compilers', 'cycling', 'archives', 'birdsong', 'typography'])}"
            body = "\n".join(self.words("en") for _ in range(rng.randint(3, 6)))
            links = [f"https://{rng.choice(['letters', 'blog', 'notes'])}{rng.randint(1, 80)}.example/{rng.randint(1, 9999)}" for _ in range(rng.randint(2, 6))]
            self.emit(at, "ham", "ham/newsletters", w,
                      self.note(w, at, body, links=links, kind="Article", name=title,
                                hashtags=rng.sample(["newsletter", "blog", "longread"], rng.randint(0, 2))))

    def copy_paste(self, n):
        rng = self.rng
        texts = [
            "Our community kitchen lost its lease and needs to raise rent for the next three months. Every share helps, every euro feeds someone. Please boost!",
            "Sign the petition to keep the night bus lines running after midnight, nurses and cooks depend on them to get home safely",
            "Flyer: repair cafe this Saturday at the old fire station, bring your broken lamps toasters and bikes, volunteers will help for free",
            "My friend's family lost their home in the flood. The fundraiser pays for temporary housing and school supplies, details on the page",
            "Open letter asking the university to keep the public archive free to read, add your name if you agree and pass it on",
            "Mutual aid request: a trans teen in our city needs help with rent this month, anything you can spare or a boost is welcome",
        ]
        campaigns = [(t, f"https://{rng.choice(['give', 'petition', 'fund', 'aid'])}{i}.example/c/{rng.randint(100, 999)}") for i, t in enumerate(texts)]
        copiers = [self.person(rng.choice(self.servers), age_days=rng.uniform(20, 2500), avatar=rng.random() < 0.95)
                   for _ in range(max(40, n // 3))]
        # Local users follow some of the accounts that copy-paste (the graph the firewall learns from Accept{Follow}).
        for p in copiers[: len(copiers) // 2]:
            for local in rng.sample(self.local_users, rng.randint(1, 4)):
                at = self.at(0, 1.5)
                self.emit(at, "ham", "ham/graph", p, self.accept_follow(p, at, local))
        per = max(1, n // len(campaigns))
        for text, link in campaigns:
            middle = self.at(0.5, self.days - 1.5)
            for _ in range(per):
                p = rng.choice(copiers)
                at = middle + timedelta(hours=rng.uniform(0, 30))
                variant = text if rng.random() < 0.7 else text + " " + rng.choice(["🙏", "(boosts ok)", "Thank you!", "#mutualaid"])
                tags = rng.sample(["mutualaid", "fundraiser", "petition", "community"], rng.randint(0, 2))
                mentions = rng.sample(self.local_users, 1) if rng.random() < 0.15 else []
                self.emit(at, "ham", "ham/copy-paste", p, self.note(p, at, variant, mentions, [link], tags))

    def art(self, n):
        rng = self.rng
        artists = [self.person(rng.choice(self.servers), age_days=rng.uniform(10, 2000)) for _ in range(40)]
        pool = ["art", "mastoart", "illustration", "drawing", "painting", "digitalart", "sketch", "watercolor",
                "creativetoots", "fediart", "ink", "traditionalart", "fanart", "oc", "characterdesign", "procreate",
                "krita", "animation", "pixelart", "linocut", "printmaking", "photography", "landscape", "portrait",
                "絵描きさんと繋がりたい", "イラスト", "그림", "artistsonmastodon", "womeninart", "queerart"]
        for _ in range(n):
            a = rng.choice(artists)
            at = self.at()
            text = rng.choice(["New piece!", "Finished this one today", "WIP", "Commission for a friend",
                               "Study of light", "絵を描きました", "새 그림"]) + " " + self.words(a["lang"])
            self.emit(at, "ham", "ham/art", a,
                      self.note(a, at, text, hashtags=rng.sample(pool, rng.randint(10, 25)),
                                attachments=[self.image(a["host"], alt=rng.choice([None, "digital painting of a fox"]))]))

    def quotes(self, n):
        rng = self.rng
        for _ in range(n):
            p = rng.choice(self.people)
            at = self.at()
            target = rng.choice(self.posts)[0] if self.posts else f"https://{rng.choice(self.servers)}/notes/{rng.randint(1, 10**6)}"
            text = rng.choice(["This, exactly.", "Strong disagree, here is why:", "Good thread", "Worth reading:",
                               "ほんとこれ", "이거 좋네요"]) + " " + self.words(p["lang"])
            self.emit(at, "ham", "ham/quotes", p, self.note(p, at, text, quote=target))

    def spam_server_users(self, n, hosts):
        rng = self.rng
        users = [self.person(rng.choice(hosts), age_days=rng.uniform(30, 1500)) for _ in range(max(10, n // 4))]
        for _ in range(n):
            p = rng.choice(users)
            at = self.at()
            mentions = rng.sample(self.local_users + [q["id"] for q in self.people], rng.choice([0, 0, 1, 2]))
            self.emit(at, "ham", "ham/spam-servers", p, self.note(p, at, self.words(p["lang"]), mentions))

    def follows(self, n):
        rng = self.rng
        made = 0
        while made < n:
            if made % 3:
                p = rng.choice(self.people)
                at = self.at()
                self.emit(at, "ham", "ham/follows", p, self.follow(p, at, rng.choice(self.local_users)))
                made += 1
                continue
            # A newcomer on one of the big servers follows a handful of local people within its first hour.
            host = rng.choice(self.servers[:4]) if rng.random() < 0.6 else rng.choice(self.servers)
            p = self.person(host, age_days=rng.uniform(0.02, 5), avatar=rng.random() < 0.5)
            at = self.at()
            for local in rng.sample(self.local_users, rng.randint(1, 6)):
                at += timedelta(minutes=rng.uniform(0.5, 10))
                self.emit(at, "ham", "ham/follows", p, self.follow(p, at, local))
                made += 1

    def dms(self, n):
        rng = self.rng
        for _ in range(n):
            p = rng.choice(self.people)
            at = self.at()
            media = [self.image(p["host"])] if rng.random() < 0.25 else []
            text = rng.choice(["Hey, here is the photo from Sunday", "Are you coming tomorrow?", "Thanks for the help!",
                               "내일 봐요", "明日よろしくね", "شكرا جزيلا"]) + " " + self.words(p["lang"])
            self.emit(at, "ham", "ham/dms", p, self.note(p, at, text, [rng.choice(self.local_users)], attachments=media,
                                                         visibility="direct"))

    # ---------- spam ----------

    def fresh(self, host, minutes=(5, 600), lang="en", shape=0.7, random_name=True, avatar=0.2):
        """A scripted account: random name (10 characters when `shape`), often no avatar, display name = username."""
        rng = self.rng
        if random_name:
            length = 10 if rng.random() < shape else rng.randint(7, 13)
            name = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(length))
        else:
            name = self.handle(lang)
        p = self.person(host, lang=lang, age_days=rng.uniform(*minutes) / 1440, avatar=rng.random() < avatar, name=name)
        p["display"] = name if rng.random() < shape else rng.choice(["", name.title(), "✨" + name[:5]])
        return p

    def burst(self, part, hours):
        """A wave part's time window: tune parts in days 1-6, test parts in days 8-13."""
        day = self.rng.uniform(1, 5.5) if part == "tune" else self.rng.uniform(8, 12.5)
        begin = START + timedelta(days=day)
        return lambda: begin + timedelta(seconds=self.rng.uniform(0, hours * 3600))

    @staticmethod
    def pick(rng, *options):
        return rng.choice(options)

    def wave_2018_ads(self, part, n, hosts):
        rng, when = self.rng, self.burst(part, 8)
        if part == "tune":
            openers = ["Best prices of the season", "Huge discount on designer bags", "Cheap flights and hotels",
                       "Rabatt auf Markenuhren", "Soldes exceptionnelles"]
            pitches = ["order now and save up to 70%", "free shipping worldwide today", "limited stock, buy before midnight"]
        else:
            openers = ["Outlet sale for luxury sneakers", "Unbeatable deals on smartphones", "Replica watches at factory price",
                       "Offerte imperdibili sugli occhiali", "Ofertas increíbles en perfumes"]
            pitches = ["shop today and get a gift", "delivery in 48 hours to your door", "only this week, grab yours"]
        shops = [f"https://{rng.choice(['best', 'mega', 'super', 'top'])}{rng.choice(['deal', 'shop', 'store'])}{rng.randint(10, 99)}.example/{rng.choice(['sale', 'promo', 'outlet'])}" for _ in range(4)]
        accounts = [self.fresh(rng.choice(hosts), minutes=(10, 900), lang=rng.choice(["en", "de", "fr", "es"]), shape=0.3)
                    for _ in range(max(6, n // 3))]
        for _ in range(n):
            p, at = rng.choice(accounts), when()
            text = f"{rng.choice(openers)}! {rng.choice(pitches).capitalize()} {rng.choice(['★', '!!', '→', '>>'])}"
            self.emit(at, "spam", f"wave-2018-ads/{part}", p, self.note(p, at, text, links=[rng.choice(shops)],
                                                                      hashtags=rng.sample(["sale", "deal", "shopping", "fashion"], rng.randint(0, 2))))

    def wave_2019_replies(self, part, n, hosts):
        rng, when = self.rng, self.burst(part, 10)
        pitches = (["Hey, I really liked your post! I made an app that grows your followers fast, try it free at",
                    "Nice one! If you want more people to see your toots, our promotion service can help, look at",
                    "Great content, you should join our creators program and get paid for posting, sign up at"]
                   if part == "tune" else
                   ["Loved this! My tool finds you hundreds of new followers every week, first month free, see",
                    "Cool post, want it to go viral? We boost accounts to thousands of readers, details here",
                    "Interesting thoughts. Earn money from your toots with our partner network, apply today at"])
        accounts = [self.person(rng.choice(hosts), age_days=rng.uniform(0.5, 20), avatar=rng.random() < 0.7)
                    for _ in range(max(2, n // 25))]
        texts = {a["id"]: rng.choice(pitches) for a in accounts}
        link = {a["id"]: f"https://{rng.choice(['grow', 'boost', 'fame'])}{rng.randint(1, 99)}.example/r/{a['username'][:4]}" for a in accounts}
        for _ in range(n):
            p, at = rng.choice(accounts), when()
            target, author = rng.choice(self.posts) if self.posts and rng.random() < 0.6 else (
                f"https://{LOCAL}/users/x/statuses/{rng.randint(1, 10**6)}", rng.choice(self.local_users))
            if rng.random() < 0.6:
                author = rng.choice(self.local_users)
            self.emit(at, "spam", f"wave-2019-replies/{part}", p,
                      self.note(p, at, texts[p["id"]], [author], [link[p["id"]]], reply=target))

    def wave_2019_follows(self, part, n, hosts):
        """The July 2019 mass remote follow (mastodon#11360): on a server of its own, an attacker creates accounts
        with `tootctl accounts create` and has every one of them follow a target with `tootctl accounts follow`, to
        inflate a follower count or flood an instance. So: dozens of accounts minutes old, from one server, each
        following the same few local users within an hour or two."""
        rng = self.rng
        host = rng.choice(hosts)
        targets = rng.sample(self.local_users, 1 if part == "tune" else 2)
        when = self.burst(part, 1 if part == "tune" else 2)
        accounts = [self.fresh(host, minutes=(1, 40), shape=0.4, random_name=rng.random() < 0.6)
                    for _ in range(max(5, n // len(targets)))]
        made = 0
        for target in targets:
            at = when()
            for p in accounts:
                if made == n:
                    return
                at += timedelta(seconds=rng.uniform(5, 90 if part == "tune" else 150))
                self.emit(at, "spam", f"wave-2019-follows/{part}", p, self.follow(p, at, target))
                made += 1

    def wave_2024_02(self, part, n, hosts):
        rng, when = self.rng, self.burst(part, 12)
        domains = (["xn--q9jyb4c.example", "raid-alliance.example"] if part == "tune"
                   else ["xn--eckwd4c7c.example", "troll-union.example"])
        lines = (["荒らしに参加しよう", "このサーバーは占拠された", "みんなで遊ぼう"] if part == "tune"
                 else ["共栄圏へようこそ", "ここは我々のものだ", "招待を受け取れ"])
        misskey = [f"https://misskey{i}.example/users/{''.join(rng.choice('0123456789abcdefghijklmnopqrstuvwxyz') for _ in range(10))}" for i in range(40)]
        for _ in range(n):
            p = self.fresh(rng.choice(hosts), minutes=(1, 1200), lang="ja", shape=0.85)
            at = when()
            text = f"https://{rng.choice(domains)}/{rng.choice(['', 'join', 'x'])}\n{rng.choice(lines)} {rng.choice(['', '！', '。'])}"
            if rng.random() < 0.25:
                text = rng.choice(["写真が送れなかったのでメンションのみです", "画像が出ないのでメンションだけ"])
            self.emit(at, "spam", f"wave-2024-02/{part}", p,
                      self.note(p, at, text, rng.sample(misskey + self.local_users, rng.randint(4, 5)), lang="ja"))

    def wave_2024_10(self, part, n, hosts):
        rng, when = self.rng, self.burst(part, 6)
        invites = ([f"https://discord.example/invite/{c}" for c in ["nukeparty", "raidhq"]] if part == "tune"
                   else [f"https://chat-invite.example/{c}" for c in ["bombsquad", "zerohour"]])
        lines = (["join the raid", "we are everywhere now", "your instance is ours"] if part == "tune"
                 else ["come to the server", "the fediverse falls today", "enlist now"])
        targets = [f"https://{rng.choice(['misskey', 'sharkey', 'mastodon'])}{rng.randint(1, 60)}.example/users/{rng.randint(1, 9999)}" for _ in range(200)]
        for _ in range(n):
            p = self.fresh(rng.choice(hosts), minutes=(1, 60), shape=0.5)
            at = when()
            mentions = rng.sample(targets + self.local_users, 10)
            self.emit(at, "spam", f"wave-2024-10-mentions/{part}", p,
                      self.note(p, at, f"{rng.choice(lines)} {rng.choice(invites)}", mentions))

    def wave_2024_11(self, part, n, hosts):
        rng, when = self.rng, self.burst(part, 6)
        hashes = [self.blurhash() for _ in range(3)]
        targets = [f"https://{rng.choice(['misskey', 'mastodon', 'social'])}{rng.randint(1, 60)}.example/users/{rng.randint(1, 9999)}" for _ in range(200)]
        for _ in range(n):
            p = self.fresh(rng.choice(hosts), minutes=(1, 90), shape=0.5)
            at = when()
            mentions = rng.sample(targets + self.local_users, rng.choice([8, 9, 10, 10, 10]))
            text = rng.choice(["", "", "👀", "scan me", "look"])
            self.emit(at, "spam", f"wave-2024-11-qr/{part}", p,
                      self.note(p, at, text, mentions, attachments=[self.image(p["host"], blurhash=rng.choice(hashes))]))

    def wave_nicole(self, part, n, hosts):
        rng, when = self.rng, self.burst(part, 24)
        persona = ["Jessica", "Amber", "Lola"] if part == "tune" else ["Emma", "Chloe", "Vivian"]
        openers = (["Hi there, I'm {n}, the fedi girl everyone talks about", "Hello dear, {n} here, your new fediverse sweetheart",
                    "Hey! It's {n}, the friendliest girl on the fediverse"] if part == "tune" else
                   ["Hi handsome, my name is {n} and I'm new to the fediverse", "Good evening, {n} writing, the lonely fedi lady",
                    "Hey you, {n} here, just a fediverse girl looking for a friend"])
        closers = (["check my private photos", "write me back, I'm waiting", "see my pictures on my page"] if part == "tune"
                   else ["my photos are waiting for you", "answer me and I'll send more", "let's chat somewhere private"])
        for _ in range(n):
            p = self.fresh(rng.choice(hosts), minutes=(5, 2000), shape=0.1, random_name=False, avatar=0.9)
            at = when()
            text = f"{rng.choice(openers).format(n=rng.choice(persona))} {rng.choice(['😘', '💋', '❤️', ''])} {rng.choice(closers)}"
            self.emit(at, "spam", f"wave-nicole-dms/{part}", p,
                      self.note(p, at, text, [rng.choice(self.local_users)],
                                attachments=[self.image(p["host"], alt=None)], visibility="direct"))

    def build(self, waves, per_wave_part=None):
        """The corpus in time order; each wave part has `per_wave_part` items (default: 1/140 of the count)."""
        rng = self.rng
        n = self.count
        per_wave_part = per_wave_part or max(20, n // 140)
        spam_hosts = {}
        for wave in waves:
            for part in ("tune", "test"):
                spam_hosts[(wave, part)] = [f"{rng.choice(['open', 'free', 'join', 'new', 'tiny', 'fresh'])}-{rng.choice(['social', 'fedi', 'town', 'club', 'key'])}{rng.randint(1, 999)}.example" for _ in range(3)]
        all_spam_hosts = sorted({h for hosts in spam_hosts.values() for h in hosts})
        spam_total = per_wave_part * 2 * len(waves)
        ham = n - spam_total
        # Ordinary posts first, so replies, quotes and boosts have posts to point at.
        self.ordinary(int(ham * 0.50))
        for name, share in [("mutual_threads", 0.07), ("newcomers", 0.06), ("news_bots", 0.06), ("newsletters", 0.03),
                            ("copy_paste", 0.06), ("art", 0.04), ("quotes", 0.04), ("follows", 0.05), ("dms", 0.04)]:
            getattr(self, name)(max(10, int(ham * share)))
        self.spam_server_users(max(10, int(ham * 0.03)), all_spam_hosts)
        generators = {"wave-2018-ads": self.wave_2018_ads, "wave-2019-replies": self.wave_2019_replies,
                      "wave-2019-follows": self.wave_2019_follows, "wave-2024-02": self.wave_2024_02,
                      "wave-2024-10-mentions": self.wave_2024_10, "wave-2024-11-qr": self.wave_2024_11,
                      "wave-nicole-dms": self.wave_nicole}
        for wave in waves:
            for part in ("tune", "test"):
                generators[wave](part, per_wave_part, spam_hosts[(wave, part)])
        # Exactly `count` items: fill with ordinary traffic, or leave some of it out (a reply to a post we never
        # saw is ordinary too).
        missing = n - len(self.items)
        if missing > 0:
            self.ordinary(missing)
        elif missing < 0:
            spare = [i for i, (_, _, e) in enumerate(self.items) if e["slice"] == "ham/ordinary"]
            drop = set(rng.sample(spare, min(len(spare), -missing)))
            self.items = [item for i, item in enumerate(self.items) if i not in drop]
        self.items.sort(key=lambda item: (item[0], item[1]))
        return [envelope for _, _, envelope in self.items]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--count", type=int, default=12000, help="items to write (at least ~1,000)")
    parser.add_argument("--days", type=float, default=14)
    parser.add_argument("--waves", default=",".join(WAVES), help="comma-separated waves to include")
    parser.add_argument("--wave-size", type=int, default=None,
                        help="posts in each tune and each test part of a wave (default: count / 140, at least 20)")
    parser.add_argument("--out", default="-", help="output file, - for standard output")
    args = parser.parse_args()
    waves = [w for w in args.waves.split(",") if w]
    unknown = [w for w in waves if w not in WAVES]
    if unknown:
        parser.error(f"unknown wave(s) {', '.join(unknown)}; choose from {', '.join(WAVES)}")
    items = Corpus(args.seed, args.count, args.days).build(waves, per_wave_part=args.wave_size)
    out = open(args.out, "w", encoding="utf-8") if args.out != "-" else None
    stream = out or sys.stdout
    for envelope in items:
        stream.write(json.dumps(envelope, ensure_ascii=False, separators=(",", ":")) + "\n")
    if out:
        out.close()


if __name__ == "__main__":
    main()
