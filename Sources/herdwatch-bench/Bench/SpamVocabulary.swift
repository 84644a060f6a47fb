/// Words and fragments spam rules are made of, in several languages, as moderators write them.
enum SpamVocabulary {
    /// Adjectives and adverbs that sell: "free", "kostenlos", "бесплатно"…
    static let lures = [
        "free", "cheap", "instant", "guaranteed", "exclusive", "limited", "secret", "unlimited", "discount",
        "kostenlos", "gratis", "günstig", "sofort", "garantiert", "exklusiv", "geheim",
        "gratuit", "gratuits", "pas cher", "exclusif", "garanti", "immédiat",
        "barato", "exclusivo", "garantizado", "inmediato", "grátis", "garantido",
        "gratuito", "economico", "esclusivo", "garantito",
        "бесплатно", "дешево", "гарантированно", "darmowe", "tanie", "ücretsiz", "bedava",
    ]

    /// What is being sold.
    static let goods = [
        "crypto", "bitcoin", "btc", "ethereum", "usdt", "nfts?", "airdrops?", "tokens", "followers", "likes",
        "views", "subscribers", "viagra", "cialis", "pills", "casino", "slots", "spins", "jackpot", "poker",
        "loans?", "credit", "forex", "iphones?", "gift ?cards?", "robux", "v-?bucks", "essays", "backlinks",
        "replica watches", "diet pills", "weight loss", "kredit", "krypto", "abnehmen", "crédit", "bitcoins",
        "préstamos", "criptomonedas", "empréstimo", "криптовалюта", "кредит", "казино", "kredyt", "kumarhane",
    ]

    /// Calls to action.
    static let calls = [
        "click here", "dm me", "message me", "join now", "sign up", "act now", "claim now", "order now",
        "contact me", "apply now", "buy now", "register today", "jetzt kaufen", "jetzt anmelden", "hier klicken",
        "cliquez ici", "inscrivez-vous", "haz clic", "regístrate", "clique aqui", "cadastre-se", "clicca qui",
        "пишите в лс", "переходи по ссылке", "kliknij tutaj", "hemen tıkla",
    ]

    /// Verbs of easy money.
    static let gains = [
        "earn", "make", "win", "get paid", "gagnez", "gagner", "verdiene", "verdienen", "gana", "ganar", "ganhe",
        "guadagna", "заработай", "zarabiaj", "kazan",
    ]

    static let periods = [
        "day", "daily", "week", "hour", "month", "tag", "woche", "jour", "semaine", "día", "semana", "dia",
        "giorno", "день", "dzień", "gün",
    ]

    /// Words that give away a scam domain.
    static let brands = [
        "casino", "bet", "crypto", "pharma", "loan", "airdrop", "nft", "promo", "bonus", "slot", "forex", "wallet",
        "claim", "gift", "prize", "lucky", "spin", "jackpot", "coin", "token", "pills", "meds", "rx", "dating",
        "vip", "reward",
    ]

    static let topLevelDomains = [
        "com", "net", "xyz", "top", "click", "shop", "online", "site", "icu", "buzz", "info", "ru", "cn", "win",
        "bid", "vip", "live", "fun", "space", "club", "monster", "cfd", "sbs",
    ]

    /// Link shorteners, as regex fragments.
    static let shorteners = [
        #"bit\.ly"#, #"tinyurl\.com"#, #"cutt\.ly"#, #"is\.gd"#, #"t\.ly"#, #"rb\.gy"#, #"shorturl\.at"#,
        #"tiny\.cc"#, #"ow\.ly"#, #"s\.id"#,
    ]

    /// Messengers spammers move the conversation to: a regex fragment and how a spammer writes it.
    static let messengers: [(regex: String, written: String)] = [
        ("whats ?app", "WhatsApp"), ("telegram", "Telegram"), ("signal", "Signal"), ("wechat", "WeChat"),
        ("viber", "Viber"), ("kakao ?talk", "KakaoTalk"), ("tg", "TG"), ("wa", "WA"), ("imo", "IMO"),
    ]

    /// Words in scripts written without spaces, so matched without `\b`.
    static let unspaced = [
        "無料", "副業", "稼げる", "高収入", "仮想通貨", "出会い", "免费", "赚钱", "博彩", "兼职", "加微信", "代开发票",
        "日赚", "在宅ワーク", "即金",
    ]

    /// Wallet, deposit and payment words placed before an address.
    static let payments = [
        "send", "wallet", "address", "deposit", "pay", "transfer", "senden", "envoyez", "envía", "отправь",
    ]

    /// Emoji that money spam piles up.
    static let moneyEmoji = #"[\x{1F4B0}\x{1F4B5}\x{1F4B8}\x{1F911}\x{1F680}\x{1F525}\x{1F381}\x{2705}]"#
}
