@testable import Reputation
import Testing

@Suite("Campaign fingerprints")
struct FingerprintTests {
    // MARK: - Normalisation

    @Test(
        "normalisation keeps what every copy of a wave repeats",
        arguments: [
            ("Hello @alice@mastodon.social, how are you?", "hello how are you"),
            ("(@alice) thanks", "thanks"),
            ("Visit https://example.com/a/b?c=1 now", "visit ⟨url⟩ now"),
            ("see discord.gg/ctkpaarr!", "see ⟨url⟩"),
            ("詳しくはhttps://荒らし.com/を見て", "詳しくは ⟨url⟩ を見て"),
            ("Win $1,000 in 24h!!! 🚀🚀", "win ⟨n⟩ in ⟨n⟩"),
            ("3月10日にiPhone15を買った。", "⟨n⟩ 月 ⟨n⟩ 日に ⟨n⟩ を買った"),
            ("random tail xk3p9", "random tail ⟨n⟩"),
            ("e.g. 10.5/10 rating", "e g ⟨n⟩ rating"),
            ("don’t stop", "dont stop"),
            ("ＦＲＥＥ  𝐜𝐚𝐬𝐢𝐧𝐨\n\nbonus", "free casino bonus"),
            ("Привет, мир!", "привет мир"),
            ("⟨url⟩ typed by hand", "url typed by hand"),
            ("email bob@example.com please", "email bob example com please"),
        ] as [(String, String)]
    )
    func normalization(text: String, expected: String) {
        #expect(CampaignText.normalize(text) == expected)
    }

    /// February 2024: a link and four or five mentions, nothing else. Every copy normalises alike, but too little
    /// remains to fingerprint; mention-count and link rules catch this shape.
    @Test(
        "a wave of only a link and mentions has no fingerprint",
        arguments: [
            "https://荒らし.com/ @a1b2c3d4e5 @kq8z0xw2pl@misskey.io @foo@mstdn.jp @bar",
            "https://xn--68j5e377y.com/ @q@misskey.io @r@misskey.io @s @t",
            "https://ctkpaarr.org/ @u @v @w @x @y",
        ]
    )
    func linkAndMentionWave(text: String) {
        #expect(CampaignText.normalize(text) == "⟨url⟩")
        #expect(CampaignFingerprint.make(text) == nil)
    }

    // MARK: - Copies cluster

    static let airdrop = """
        Congratulations! Your wallet was selected for the exclusive community airdrop. \
        Claim your 500 USDT reward before the offer expires in 24 hours. \
        Connect your wallet at the official portal below to verify eligibility. \
        Do not miss this chance, only a few spots remain!
        """
    static let airdropOtherNumbers = """
        Congratulations! Your wallet was selected for the exclusive community airdrop. \
        Claim your 750 USDT reward before the offer expires in 48 hours. \
        Connect your wallet at the official portal below to verify eligibility. \
        Do not miss this chance, only a few spots remain!
        """
    static let airdropLookalikes = """
        Cоngratulations 🎉! Yоur wаllet was selected for the EXCLUSIVE community airdrop. \
        Claim your 1,000 USDT reward before the offer expires in 24 hours. \
        Connect your wallet at the official portal below to verify eligibility. \
        Do not miss this chance, only a few spots remain!
        """
    static let phishing = """
        【重要】お客様のアカウントに不正なログインが検出されました。24時間以内に下記のリンクから本人確認を行ってください。\
        確認が完了しない場合、アカウントは自動的に凍結されます。
        """
    static let phishingOtherNumbers = """
        【重要】お客様のアカウントに不正なログインが検出されました。48時間以内に下記のリンクから本人確認を行ってください。\
        確認が完了しない場合、アカウントは自動的に凍結されます。
        """
    static let mentionsOnly = "画像が貼れなかったのでメンションだけします"

    static let copies: [(String, String, String)] = [
        ("mentions", airdrop, "@alice@mastodon.social @bob " + airdrop),
        ("random suffix", airdrop, airdrop + " xk3p9"),
        ("letters-only suffix", airdrop, airdrop + " qwzrt"),
        ("emoji", airdrop, "🚨 " + airdrop + " 🚀🔥"),
        ("links", airdrop + " https://claim-airdrop.xyz/r/8f3k2", airdrop + " https://usdt-bonus.top/?ref=q9z"),
        ("numbers", airdrop, airdropOtherNumbers),
        ("look-alike letters", airdrop, airdropLookalikes),
        (
            "all at once", "@carol@fosstodon.org " + airdrop + " https://claim-airdrop.xyz/r/8f3k2 a8f3k2",
            "@dave " + airdropOtherNumbers + " 🚀 https://airdrop-claim.net/c/771 zq81m"
        ),
        (
            "Japanese wave, other mentions", mentionsOnly + " @a@misskey.io @b @c @d",
            mentionsOnly + " @x9k2lq@mastodon.acm.org @y@edusocial.it @z@misskey.io"
        ),
        (
            "Japanese paragraph", phishing,
            "@user@misskey.io " + phishingOtherNumbers + "https://secure-login.example/jp/123 🙇 a8f3k2"
        ),
    ]

    @Test("copies of one post share a band and stay similar", arguments: copies)
    func copiesCluster(variation: String, original: String, copy: String) throws {
        let original = try #require(CampaignFingerprint.make(original))
        let copy = try #require(CampaignFingerprint.make(copy))
        #expect(original.similarity(to: copy) >= 0.7)
        #expect(!Set(original.bands).isDisjoint(with: copy.bands))
    }

    // MARK: - Unrelated posts on one topic stay apart

    static let sameTopic: [(String, String, String)] = [
        (
            "English, earthquake",
            """
            A magnitude 7.1 earthquake struck off the coast this morning. Officials say there is no tsunami \
            threat, but several buildings were damaged and trains are stopped. Stay safe, everyone.
            """,
            """
            Felt the quake here too, the whole apartment was shaking for almost a minute. My cat is hiding \
            under the bed and the power keeps flickering. Hoping everyone near the coast is okay.
            """
        ),
        (
            "English, the spam wave",
            """
            Heads up admins: a spam wave is hitting open-registration instances right now. The accounts have \
            random ten-character names and mention four or five people with a link. Consider closing signups \
            until it passes.
            """,
            """
            We just suspended about forty spam accounts that signed up overnight. If you got a weird mention \
            with a Japanese link from our server, sorry, it was not a real user. Registrations now require \
            approval.
            """
        ),
        (
            "English, a software release",
            """
            Mastodon 4.3 is out! The new version brings a redesigned notifications page, better moderation \
            tools, and faster search. Time to update our instance tonight.
            """,
            """
            Just finished upgrading our server to the latest Mastodon release. The grouped notifications take \
            some getting used to, but the new moderation features are really welcome.
            """
        ),
        (
            "Japanese, the spam wave",
            "また変なメンションが来た。知らないアカウントからリンクだけ送られてくるの本当に迷惑。みんなも気をつけてね。",
            "うちのサーバーでもスパムアカウントが大量に作られていたので、しばらく新規登録を承認制にします。ご迷惑をおかけしてすみません。"
        ),
        (
            "Japanese, earthquake",
            "今朝の地震、かなり揺れてびっくりした。棚から本が落ちてきたけど、家族はみんな無事です。",
            "地震のせいで電車が止まっていて、駅がすごく混んでいる。今日は在宅勤務に切り替えることにしました。"
        ),
        (
            "German, rail strike",
            """
            Die Bahn streikt schon wieder, mein Zug nach Hamburg fällt heute komplett aus. Zum Glück kann ich \
            von zu Hause arbeiten.
            """,
            """
            Wegen des Streiks stehen am Hauptbahnhof hunderte Leute ratlos herum. Die Anzeigetafeln zeigen nur \
            noch Ausfälle, und niemand weiß, wann wieder Züge fahren.
            """
        ),
        (
            "fundraisers",
            """
            Our family lost our home in the floods last week. Any donation, no matter how small, helps us pay \
            for temporary housing and school supplies for the kids. Please share if you can. \
            https://gofund.me/abc123 #mutualaid #fundraiser
            """,
            """
            I am raising money for my mother's cancer treatment, which insurance will not cover. We need to \
            reach our goal by the end of the month. Every share helps, thank you so much. \
            https://gofund.me/xyz789 #fundraiser #mutualaid
            """
        ),
    ]

    @Test("different people writing about one topic share no band", arguments: sameTopic)
    func sameTopicStaysApart(topic: String, first: String, second: String) throws {
        let first = try #require(CampaignFingerprint.make(first))
        let second = try #require(CampaignFingerprint.make(second))
        #expect(first.similarity(to: second) < 0.4)
        #expect(Set(first.bands).isDisjoint(with: second.bands))
    }

    // MARK: - Too short to mean anything

    @Test(
        "greetings and one-liners have no fingerprint",
        arguments: [
            "good morning!", "Good morning everyone ☀️", "gm @alice @bob", "おはようございます！", "おやすみなさい🌙",
            "Guten Morgen zusammen!", "Happy new year!!! 🎉🎉🎉", "thanks for the follow!", "Bonjour à tous 👋",
            "lol same", "https://example.com/cat.jpg", "", "🎉🎉🎉",
        ]
    )
    func greetings(text: String) {
        #expect(CampaignFingerprint.make(text) == nil)
    }

    // MARK: - Stability and storage

    /// These values were computed once and must never change: fingerprints are stored, and a stored one must
    /// match one computed in any later process. An intended change bumps `CampaignFingerprint.version`.
    @Test(
        "bands are the same in every process",
        arguments: [
            (
                """
                Congratulations! Your wallet was selected for the exclusive community airdrop. Claim your 500 \
                USDT reward before the offer expires in 24 hours.
                """,
                [
                    0x6AE7_DF02_4EBF_51B4, 0x1DBC_2E79_F6E2_3FB6, 0x4433_BE7B_1A08_F62B, 0x3670_3DB4_A26D_B9F9,
                    0x1A65_CE91_6C34_BB9D, 0x4F44_3272_737D_1BA0, 0xD21B_0E7A_A681_F440, 0x50D3_87D0_3601_D84D,
                    0x05D4_824D_E4D8_8291, 0x4CB4_0144_58B2_FD7C, 0x7A34_26F0_0370_7235, 0x5E4F_85F7_BB8D_2DE8,
                    0xE14C_C5FA_3E9B_2EBA, 0xBCAA_38F4_9D4A_BD84, 0x3E08_36B5_20CE_3E85, 0xEFBA_FEF3_11B3_C63D,
                    0x8BA1_3D40_0905_4FFA, 0x3F33_4D93_9082_CF09, 0xCD1A_D774_9FA4_BB36, 0x3F68_A0A8_B3A7_898C,
                ]
            ),
            (
                "【重要】お客様のアカウントに不正なログインが検出されました。24時間以内に下記のリンクから本人確認を行ってください。",
                [
                    0x2D38_14A4_047C_9282, 0x77F4_8B80_2481_C0AC, 0xF5CD_B784_06CC_DF0D, 0x730B_0A19_A6E3_F343,
                    0x48FA_6E8A_97E8_B73F, 0xB3E0_6004_9E04_A305, 0x5D7B_A073_D967_2195, 0x253C_FACB_88CE_30EC,
                    0x4344_51CC_8402_FF47, 0x7EAB_C08C_95EF_E3CE, 0xE900_7959_CECF_F57C, 0x9613_8857_029A_9FBE,
                    0xC294_9516_19C1_A664, 0xB74B_C575_0EA1_D2FE, 0x70E1_E3A6_DAB4_A702, 0x0173_0AEA_F01E_D72D,
                    0x7CF3_EF60_F9E1_032B, 0x7972_D839_AE69_D55F, 0x73FE_1122_23D9_A625, 0x07A5_3BF0_149B_03A0,
                ]
            ),
        ] as [(String, [UInt64])]
    )
    func stableBands(text: String, expected: [UInt64]) throws {
        #expect(try #require(CampaignFingerprint.make(text)).bands == expected)
    }

    @Test("a stored signature gives back the same fingerprint")
    func storedSignature() throws {
        let fingerprint = try #require(CampaignFingerprint.make(Self.airdrop))
        let restored = try #require(CampaignFingerprint(signature: fingerprint.signature))
        #expect(restored == fingerprint)
        #expect(restored.bands == fingerprint.bands)
        #expect(restored.similarity(to: fingerprint) == 1)
        #expect(CampaignFingerprint(signature: Array(fingerprint.signature.dropLast())) == nil)
    }

    @Test("long posts fingerprint, and appending a paragraph lowers similarity gradually")
    func longPosts() throws {
        let long = try #require(CampaignFingerprint.make(String(repeating: Self.airdrop + " ", count: 20)))
        let original = try #require(CampaignFingerprint.make(Self.airdrop))
        let extended = try #require(
            CampaignFingerprint.make(
                Self.airdrop
                    + " Our team has reviewed every application by hand and only verified holders will receive tokens."
            )
        )
        #expect(long.similarity(to: original) > 0.7)
        #expect((0.4..<0.9).contains(original.similarity(to: extended)))
    }
}

@Suite struct RecentFingerprintsTests {
    static let texts = [
        "Congratulations! Your wallet was selected for the exclusive community airdrop. Claim your reward today.",
        "Congratulations! Your wallet was selected for the exclusive community airdrop. Claim your reward now.",
        "The allotment committee meets on Thursday to plan the spring planting and the new compost bays.",
        "good morning!",
        "【重要】お客様のアカウントに不正なログインが検出されました。本人確認を行ってください。",
    ]

    @Test func answersWhatComputingAnswersForRepeatedAndNewTexts() {
        let cache = RecentFingerprints(capacity: 8, maximumTextBytes: 4096)
        var computed = 0
        for round in 0..<3 {
            for text in Self.texts {
                let cached = cache.fingerprint(of: text) { text in
                    computed += 1
                    return CampaignFingerprint.compute(text)
                }
                #expect(cached == CampaignFingerprint.compute(text), "round \(round): \(text)")
            }
        }
        // Each text once, short ones (no fingerprint) included.
        #expect(computed == Self.texts.count)
        #expect(cache.count == Self.texts.count)
        #expect(CampaignFingerprint.make(Self.texts[0]) != CampaignFingerprint.make(Self.texts[1]))
    }

    @Test func staysWithinItsBoundsAndEvictsTheOldest() {
        let cache = RecentFingerprints(capacity: 4, maximumTextBytes: 200)
        var computed: [String] = []
        func lookUp(_ text: String) {
            _ = cache.fingerprint(of: text) { text in
                computed.append(text)
                return CampaignFingerprint.compute(text)
            }
        }
        let texts = (0..<10).map { "post number \($0) about the spring planting at the riverside garden plots" }
        texts.forEach(lookUp)
        #expect(cache.count == 4)
        computed = []
        lookUp(texts[9])
        lookUp(texts[0])
        #expect(computed == [texts[0]])
        // Texts over the size limit are computed every time and never kept.
        let long = String(repeating: "a long post about compost and seedlings ", count: 10)
        lookUp(long)
        lookUp(long)
        #expect(computed == [texts[0], long, long])
        #expect(cache.count == 4)
    }
}
