//! Channel groups: where a visit came from, derived from UTM tags and the referrer.
//!
//! Definition (first rule that matches wins):
//! 1. medium `cpc|ppc|paid|paidsearch|cpm|cpa|display|banner|retargeting` → `paid_search` when the source is a
//!    search engine, `paid_social` for a social network, `display` otherwise;
//! 2. medium `email|newsletter|e-mail|mail` or source `email` → `email`;
//! 3. a messenger source or referrer (t.me, telegram, whatsapp, viber) → `messengers`;
//! 4. a social source or referrer (vk.com, ok.ru, facebook, instagram, dzen.ru, …) → `social`
//!    (`paid_social` with a paid medium);
//! 5. a search engine source or referrer (yandex, ya.ru, google, bing, mail.ru search, duckduckgo, …) →
//!    `organic_search`;
//! 6. medium `referral` or any other referrer → `referral`;
//! 7. medium `offline|store|pos` or touchpoint `store` → `offline`; touchpoint `call_center` → `call_center`;
//! 8. nothing at all → `direct`.
//!
//! Russian sources (Yandex, VK, OK, Telegram, Dzen, Mail.ru, Avito) are known as well as global ones.

/// Every group [`classify`] returns.
pub const GROUPS: [&str; 11] = [
    "direct",
    "organic_search",
    "paid_search",
    "social",
    "paid_social",
    "email",
    "messengers",
    "referral",
    "display",
    "offline",
    "call_center",
];

const SEARCH: &[&str] =
    &["yandex", "ya.ru", "google", "bing", "duckduckgo", "baidu", "yahoo", "go.mail.ru", "rambler", "ecosia"];
const SOCIAL: &[&str] = &[
    "vk.com",
    "vk",
    "vkontakte",
    "ok.ru",
    "odnoklassniki",
    "facebook",
    "fb",
    "instagram",
    "dzen",
    "twitter",
    "x.com",
    "linkedin",
    "tiktok",
    "youtube",
    "pinterest",
    "reddit",
    "my.mail.ru",
];
const MESSENGER: &[&str] = &["t.me", "telegram", "whatsapp", "viber", "wa.me"];
const PAID: &[&str] =
    &["cpc", "ppc", "paid", "paidsearch", "paid_search", "cpm", "cpa", "display", "banner", "retargeting", "cpv"];
const CLASSIFIEDS: &[&str] = &["avito", "youla"];

/// Derives the channel group from UTM source and medium, the referrer URL and the touchpoint.
///
/// Imports call it once per event with few distinct inputs, so answers are remembered per thread (by source,
/// medium, referrer host and touchpoint; at most [`MEMO_ENTRIES`] of them) — a memo, invisible in the result.
pub fn classify(source: &str, medium: &str, referrer: &str, touchpoint: &str) -> &'static str {
    let host = referrer_host(referrer);
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let (key, map) = &mut *memo;
        key.clear();
        for part in [source, medium, host.as_str(), touchpoint] {
            // length-prefixed, so no two inputs share a key
            key.push_str(&part.len().to_string());
            key.push(':');
            key.push_str(part);
        }
        if let Some(&group) = map.get(key.as_str()) {
            return group;
        }
        let group = classify_host(source, medium, &host, touchpoint);
        if map.len() >= MEMO_ENTRIES {
            map.clear();
        }
        map.insert(key.clone(), group);
        group
    })
}

/// How many distinct inputs [`classify`] remembers per thread before it starts over.
pub const MEMO_ENTRIES: usize = 4096;

thread_local! {
    static MEMO: std::cell::RefCell<(String, rustc_hash::FxHashMap<String, &'static str>)> =
        std::cell::RefCell::new((String::new(), rustc_hash::FxHashMap::default()));
}

/// [`classify`] with the referrer already reduced to its lower-case host.
fn classify_host(source: &str, medium: &str, host: &str, touchpoint: &str) -> &'static str {
    let source = source.to_ascii_lowercase();
    let medium = medium.to_ascii_lowercase();
    let is = |list: &[&str], s: &str| !s.is_empty() && list.iter().any(|k| s == *k || s.contains(k));
    let search = is(SEARCH, &source) || (source.is_empty() && is(SEARCH, host));
    let social = is(SOCIAL, &source) || (source.is_empty() && is(SOCIAL, host));
    let messenger = is(MESSENGER, &source) || (source.is_empty() && is(MESSENGER, host));
    if PAID.contains(&medium.as_str()) {
        return if search {
            "paid_search"
        } else if social || messenger {
            "paid_social"
        } else {
            "display"
        };
    }
    if matches!(medium.as_str(), "email" | "e-mail" | "newsletter" | "mail") || source == "email" {
        return "email";
    }
    if messenger {
        return "messengers";
    }
    if social {
        return "social";
    }
    if search {
        return "organic_search";
    }
    if is(CLASSIFIEDS, &source) || is(CLASSIFIEDS, host) {
        return "referral";
    }
    if medium == "referral" || !host.is_empty() || !source.is_empty() {
        return match medium.as_str() {
            "offline" | "store" | "pos" => "offline",
            _ => "referral",
        };
    }
    match (medium.as_str(), touchpoint) {
        ("offline" | "store" | "pos", _) | (_, "store") => "offline",
        (_, "call_center") => "call_center",
        _ => "direct",
    }
}

/// The lower-case host of a URL (`https://www.Yandex.ru/search?q=` → `yandex.ru`), or "" if none.
pub fn referrer_host(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    let host = host.split(':').next().unwrap_or("");
    host.trim_start_matches("www.").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str, medium: &str, referrer: &str, touchpoint: &str, expect: &str) {
        assert_eq!(classify(source, medium, referrer, touchpoint), expect, "{source}/{medium}/{referrer}/{touchpoint}");
    }

    #[test]
    fn the_memo_answers_as_the_rules_do() {
        let sources = ["", "yandex", "Google", "vk", "newsletter", "t.me", "avito", "partner", "a:b"];
        let media = ["", "cpc", "email", "referral", "offline", "CPC"];
        let referrers = ["", "https://ya.ru/search?q=1", "https://vk.com/x", "https://shop.example/a"];
        let touchpoints = ["", "web", "store", "call_center"];
        for round in 0..3 {
            for s in sources {
                for m in media {
                    for r in referrers {
                        for t in touchpoints {
                            let want = classify_host(s, m, &referrer_host(r), t);
                            assert_eq!(classify(s, m, r, t), want, "round {round}: {s}/{m}/{r}/{t}");
                            assert!(GROUPS.contains(&want), "{want} is not in GROUPS");
                        }
                    }
                }
            }
        }
        // past the memo's size it starts over and still answers right
        for i in 0..MEMO_ENTRIES + 10 {
            let source = format!("src{i}");
            assert_eq!(classify(&source, "cpc", "", "web"), classify_host(&source, "cpc", "", "web"));
        }
    }

    #[test]
    fn classifies_russian_and_global_sources() {
        check("yandex", "cpc", "", "web", "paid_search");
        check("google", "cpc", "", "web", "paid_search");
        check("vk", "cpc", "", "web", "paid_social");
        check("mailchimp", "email", "", "web", "email");
        check("", "", "https://t.me/somechannel", "web", "messengers");
        check("", "", "https://vk.com/wall-1", "web", "social");
        check("", "", "https://dzen.ru/a/xyz", "web", "social");
        check("", "", "https://yandex.ru/search/?text=tent", "web", "organic_search");
        check("", "", "https://www.google.com/", "web", "organic_search");
        check("", "", "https://www.avito.ru/item", "web", "referral");
        check("", "", "https://blog.example.org/post", "web", "referral");
        check("", "", "", "store", "offline");
        check("", "", "", "call_center", "call_center");
        check("", "", "", "web", "direct");
        check("partner", "banner", "", "web", "display");
    }

    #[test]
    fn extracts_hosts() {
        assert_eq!(referrer_host("https://www.Yandex.ru:443/search?q=1"), "yandex.ru");
        assert_eq!(referrer_host("vk.com/feed"), "vk.com");
        assert_eq!(referrer_host(""), "");
    }
}
