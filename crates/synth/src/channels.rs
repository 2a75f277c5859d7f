//! Where visits come from: UTM-tagged ads and newsletters, search engines, Telegram, blogs, direct typing.
//!
//! Every [`Visit`] is static text; the channel group is derived from it by `tropa_core::channel::classify`, the
//! same function the ingestion path uses, so generated and ingested data agree.

use std::sync::OnceLock;

use tropa_core::channel::classify;

use crate::catalog::{Page, BACKPACKS, CATEGORIES, FOOTWEAR, HOME, JACKETS, SLEEPING_BAGS, TENTS};
use crate::rng::Rng;

/// Where a visit lands.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Landing {
    /// A fixed page (ads and newsletters land on tagged URLs).
    Fixed(Page),
    /// The page of a category: the visit's focus, else the customer's favourite.
    Category,
    /// A product page of the focus (or favourite) category.
    Product,
}

/// The attribution of one visit: UTM tags, referrer, landing page and the category it is about.
#[derive(Debug)]
pub(crate) struct Visit {
    pub source: &'static str,
    pub medium: &'static str,
    pub campaign: &'static str,
    pub term: &'static str,
    pub content: &'static str,
    pub referrer: &'static str,
    pub landing: Landing,
    /// The category the ad, post or article is about.
    pub focus: Option<usize>,
    /// `classify` of the visit on the web, computed once (classification parses the referrer and lower-cases).
    pub web_group: OnceLock<&'static str>,
}

impl Visit {
    /// The channel group of this visit for events with `touchpoint`.
    pub(crate) fn group(&self, touchpoint: &str) -> &'static str {
        if touchpoint == "web" {
            self.web_group.get_or_init(|| classify(self.source, self.medium, self.referrer, "web"))
        } else {
            classify(self.source, self.medium, self.referrer, touchpoint)
        }
    }
}

macro_rules! tagged {
    (@visit $url:expr, $title:expr, $src:literal, $med:literal, $camp:literal, $term:literal, $content:literal,
     $referrer:literal, $focus:expr) => {
        Visit {
            source: $src,
            medium: $med,
            campaign: $camp,
            term: $term,
            content: $content,
            referrer: $referrer,
            landing: Landing::Fixed(Page { url: $url, title: $title }),
            focus: $focus,
            web_group: OnceLock::new(),
        }
    };
    ($path:literal, $title:expr, $src:literal, $med:literal, $camp:literal, [$term:literal, $enc:literal],
     $content:literal, $referrer:literal, $focus:expr) => {
        tagged!(@visit concat!("https://shop.example", $path, "?utm_source=", $src, "&utm_medium=", $med,
            "&utm_campaign=", $camp, "&utm_term=", $enc, "&utm_content=", $content),
            $title, $src, $med, $camp, $term, $content, $referrer, $focus)
    };
    ($path:literal, $title:expr, $src:literal, $med:literal, $camp:literal, [], $content:literal,
     $referrer:literal, $focus:expr) => {
        tagged!(@visit concat!("https://shop.example", $path, "?utm_source=", $src, "&utm_medium=", $med,
            "&utm_campaign=", $camp, "&utm_content=", $content),
            $title, $src, $med, $camp, "", $content, $referrer, $focus)
    };
}

macro_rules! untagged {
    ($referrer:literal, $landing:expr, $focus:expr) => {
        Visit {
            source: "",
            medium: "",
            campaign: "",
            term: "",
            content: "",
            referrer: $referrer,
            landing: $landing,
            focus: $focus,
            web_group: OnceLock::new(),
        }
    };
}

const T_HOME: &str = HOME.title;
const T_TENTS: &str = CATEGORIES[TENTS].page.title;
const T_BACKPACKS: &str = CATEGORIES[BACKPACKS].page.title;
const T_FOOTWEAR: &str = CATEGORIES[FOOTWEAR].page.title;
const T_JACKETS: &str = CATEGORIES[JACKETS].page.title;
const T_CART: &str = crate::catalog::CART.title;

/// Yandex Direct (search ads and the РСЯ banner network).
static YANDEX_DIRECT: [Visit; 5] = [
    tagged!("/c/tents", T_TENTS, "yandex", "cpc", "tents_promo", ["купить палатку", "%D0%BA%D1%83%D0%BF%D0%B8%D1%82%D1%8C%20%D0%BF%D0%B0%D0%BB%D0%B0%D1%82%D0%BA%D1%83"], "text_ad_1", "", Some(TENTS)),
    tagged!("/c/backpacks", T_BACKPACKS, "yandex", "cpc", "backpacks_search", ["туристический рюкзак", "%D1%82%D1%83%D1%80%D0%B8%D1%81%D1%82%D0%B8%D1%87%D0%B5%D1%81%D0%BA%D0%B8%D0%B9%20%D1%80%D1%8E%D0%BA%D0%B7%D0%B0%D0%BA"], "text_ad_2", "", Some(BACKPACKS)),
    tagged!("/", T_HOME, "yandex", "cpc", "brand", ["тропа магазин", "%D1%82%D1%80%D0%BE%D0%BF%D0%B0%20%D0%BC%D0%B0%D0%B3%D0%B0%D0%B7%D0%B8%D0%BD"], "text_ad_3", "", None),
    tagged!("/", T_HOME, "yandex", "cpc", "spring_sale", [], "banner_rsya", "", None),
    tagged!("/c/jackets", T_JACKETS, "yandex", "cpc", "winter_sale", [], "banner_rsya", "", Some(JACKETS)),
];

/// Google Ads search campaigns.
static GOOGLE_ADS: [Visit; 3] = [
    tagged!("/", T_HOME, "google", "cpc", "brand", ["магазин снаряжения", "%D0%BC%D0%B0%D0%B3%D0%B0%D0%B7%D0%B8%D0%BD%20%D1%81%D0%BD%D0%B0%D1%80%D1%8F%D0%B6%D0%B5%D0%BD%D0%B8%D1%8F"], "rsa_1", "", None),
    tagged!("/c/tents", T_TENTS, "google", "cpc", "tents_promo", ["палатка купить", "%D0%BF%D0%B0%D0%BB%D0%B0%D1%82%D0%BA%D0%B0%20%D0%BA%D1%83%D0%BF%D0%B8%D1%82%D1%8C"], "rsa_2", "", Some(TENTS)),
    tagged!("/c/footwear", T_FOOTWEAR, "google", "cpc", "summer_hiking", ["треккинговые ботинки", "%D1%82%D1%80%D0%B5%D0%BA%D0%BA%D0%B8%D0%BD%D0%B3%D0%BE%D0%B2%D1%8B%D0%B5%20%D0%B1%D0%BE%D1%82%D0%B8%D0%BD%D0%BA%D0%B8"], "rsa_3", "", Some(FOOTWEAR)),
];

/// VK Ads (VKontakte feed ads).
static VK_ADS: [Visit; 3] = [
    tagged!("/c/backpacks", T_BACKPACKS, "vk", "cpc", "summer_hiking", [], "video_15s", "", Some(BACKPACKS)),
    tagged!("/", T_HOME, "vk", "cpc", "spring_sale", [], "carousel", "", None),
    tagged!("/c/tents", T_TENTS, "vk", "cpc", "tents_promo", [], "lead_form", "", Some(TENTS)),
];

/// Telegram: a tagged post in the shop's channel, and untagged links shared in chats.
static TELEGRAM: [Visit; 3] = [
    tagged!("/c/tents", T_TENTS, "telegram", "social", "tents_promo", [], "post_0412", "https://t.me/", Some(TENTS)),
    untagged!("https://t.me/pohod_chat", Landing::Category, None),
    untagged!("https://t.me/s/outdoor_news", Landing::Product, None),
];

/// The shop's newsletter.
static EMAIL: [Visit; 3] = [
    tagged!("/", T_HOME, "newsletter", "email", "weekly_digest", [], "hero", "", None),
    tagged!("/", T_HOME, "newsletter", "email", "spring_sale", [], "button", "", None),
    tagged!("/c/jackets", T_JACKETS, "newsletter", "email", "winter_sale", [], "button", "", Some(JACKETS)),
];

/// The reminder sent to identified customers who left a full cart.
pub(crate) static CART_REMINDER: Visit =
    tagged!("/cart", T_CART, "newsletter", "email", "cart_reminder", [], "button", "", None);

/// The satisfaction survey mailed after delivery.
pub(crate) static NPS_SURVEY: Visit =
    tagged!("/survey", "Опрос — Тропа", "newsletter", "email", "nps_survey", [], "survey", "", None);

static YANDEX_SEARCH: [Visit; 5] = [
    untagged!("https://yandex.ru/search/?text=%D0%BF%D0%B0%D0%BB%D0%B0%D1%82%D0%BA%D0%B0%20%D0%B4%D0%BB%D1%8F%20%D0%BF%D0%BE%D1%85%D0%BE%D0%B4%D0%B0", Landing::Category, Some(TENTS)),
    untagged!("https://yandex.ru/search/?text=%D1%82%D1%83%D1%80%D0%B8%D1%81%D1%82%D0%B8%D1%87%D0%B5%D1%81%D0%BA%D0%B8%D0%B9%20%D1%80%D1%8E%D0%BA%D0%B7%D0%B0%D0%BA", Landing::Category, Some(BACKPACKS)),
    untagged!("https://yandex.ru/search/?text=%D0%BA%D0%B0%D0%BA%20%D0%B2%D1%8B%D0%B1%D1%80%D0%B0%D1%82%D1%8C%20%D1%81%D0%BF%D0%B0%D0%BB%D1%8C%D0%BD%D0%B8%D0%BA", Landing::Product, Some(SLEEPING_BAGS)),
    untagged!("https://ya.ru/", Landing::Product, None),
    untagged!("https://yandex.ru/search/?text=%D1%82%D1%80%D0%BE%D0%BF%D0%B0%20%D0%BC%D0%B0%D0%B3%D0%B0%D0%B7%D0%B8%D0%BD", Landing::Fixed(HOME), None),
];

static GOOGLE_SEARCH: [Visit; 3] = [
    untagged!("https://www.google.com/", Landing::Product, None),
    untagged!("https://www.google.com/", Landing::Category, None),
    untagged!("https://www.google.com/", Landing::Fixed(HOME), None),
];

static REFERRAL: [Visit; 3] = [
    untagged!("https://pohodnik-blog.example/kak-vybrat-palatku", Landing::Product, Some(TENTS)),
    untagged!("https://turclub.example/forum/topic-812", Landing::Product, None),
    untagged!("https://gear-review.example/backpacks-2026", Landing::Category, Some(BACKPACKS)),
];

static DIRECT: [Visit; 3] = [
    untagged!("", Landing::Fixed(HOME), None),
    untagged!("", Landing::Fixed(HOME), None),
    untagged!("", Landing::Product, None),
];

/// Retargeting ads shown to people who visited before.
static RETARGETING: [Visit; 2] = [
    tagged!("/", T_HOME, "yandex", "cpc", "retargeting", [], "smart_banner", "", None),
    tagged!("/", T_HOME, "vk", "cpc", "retargeting", [], "dynamic_feed", "", None),
];

/// The channel a customer first arrives through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    YandexDirect,
    GoogleAds,
    VkAds,
    Telegram,
    Email,
    YandexSearch,
    GoogleSearch,
    Referral,
    Direct,
}

/// How customers first arrive and how each first channel behaves: share (‰), probability of bouncing (one short
/// session, never back) and probability of ever adding to cart. The 2× email truth lives in the last column.
pub(crate) const FIRST_TOUCH: [(Source, u32, f64, f64); 9] = [
    (Source::YandexDirect, 170, 0.42, 0.30),
    (Source::GoogleAds, 80, 0.40, 0.30),
    (Source::VkAds, 100, 0.50, 0.22),
    (Source::Telegram, 60, 0.45, 0.28),
    (Source::Email, 70, 0.25, 0.60),
    (Source::YandexSearch, 160, 0.38, 0.33),
    (Source::GoogleSearch, 80, 0.38, 0.32),
    (Source::Referral, 60, 0.40, 0.35),
    (Source::Direct, 220, 0.35, 0.38),
];

impl Source {
    fn visits(self) -> &'static [Visit] {
        match self {
            Source::YandexDirect => &YANDEX_DIRECT,
            Source::GoogleAds => &GOOGLE_ADS,
            Source::VkAds => &VK_ADS,
            Source::Telegram => &TELEGRAM,
            Source::Email => &EMAIL,
            Source::YandexSearch => &YANDEX_SEARCH,
            Source::GoogleSearch => &GOOGLE_SEARCH,
            Source::Referral => &REFERRAL,
            Source::Direct => &DIRECT,
        }
    }

    /// One visit through this channel.
    pub(crate) fn visit(self, rng: &mut Rng) -> &'static Visit {
        rng.pick(self.visits())
    }
}

/// The channel of a returning visit: mostly direct and search, some retargeting, the first channel again, and
/// the newsletter for subscribers.
pub(crate) fn return_visit(rng: &mut Rng, first: Source, subscribed: bool) -> &'static Visit {
    const WEIGHTS: [u32; 9] = [28, 14, 6, 20, 8, 5, 12, 4, 3];
    match rng.weighted(&WEIGHTS) {
        1 => Source::YandexSearch.visit(rng),
        2 => Source::GoogleSearch.visit(rng),
        3 if first != Source::Email || subscribed => first.visit(rng),
        4 => &RETARGETING[0],
        5 => &RETARGETING[1],
        6 if subscribed => Source::Email.visit(rng),
        7 => Source::Telegram.visit(rng),
        8 => Source::Referral.visit(rng),
        _ => Source::Direct.visit(rng),
    }
}

/// Every visit of every channel (for tests).
#[cfg(test)]
pub(crate) fn all_visits() -> impl Iterator<Item = &'static Visit> {
    FIRST_TOUCH
        .iter()
        .flat_map(|(s, ..)| s.visits().iter())
        .chain(RETARGETING.iter())
        .chain([&CART_REMINDER, &NPS_SURVEY])
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_core::message::query_param;

    #[test]
    fn tagged_urls_carry_the_same_tags_and_every_visit_has_the_intended_group() {
        for v in all_visits() {
            if let Landing::Fixed(page) = v.landing {
                if !v.source.is_empty() {
                    assert_eq!(query_param(page.url, "utm_source"), v.source);
                    assert_eq!(query_param(page.url, "utm_medium"), v.medium);
                    assert_eq!(query_param(page.url, "utm_campaign"), v.campaign);
                    assert_eq!(query_param(page.url, "utm_term"), v.term);
                    assert_eq!(query_param(page.url, "utm_content"), v.content);
                }
            }
            let group = classify(v.source, v.medium, v.referrer, "web");
            assert_eq!(v.group("web"), group);
            assert_eq!(v.group("web"), group, "cached");
            assert_eq!(v.group("email"), classify(v.source, v.medium, v.referrer, "email"));
            let expect = match (v.source, v.medium, v.referrer) {
                ("yandex" | "google", "cpc", _) => "paid_search",
                ("vk", "cpc", _) => "paid_social",
                (_, "email", _) => "email",
                ("telegram", ..) => "messengers",
                (_, _, r) if r.contains("t.me") => "messengers",
                (_, _, r) if r.contains("yandex") || r.contains("ya.ru") || r.contains("google") => "organic_search",
                (_, _, "") => "direct",
                _ => "referral",
            };
            assert_eq!(group, expect, "{v:?}");
        }
    }

    #[test]
    fn first_touch_shares_add_up() {
        assert_eq!(FIRST_TOUCH.iter().map(|r| r.1).sum::<u32>(), 1000);
        assert!(FIRST_TOUCH.iter().all(|r| r.2 + r.3 <= 1.0));
    }
}
