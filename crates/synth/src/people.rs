//! Who the customers are: where they live, how old they are, what they browse with.

/// A city with its ISO country code, the usual browser locale there and a weight (share of customers, ‰).
#[derive(Debug)]
pub(crate) struct City {
    pub name: &'static str,
    pub country: &'static str,
    pub locale: &'static str,
    pub weight: u32,
}

const fn city(name: &'static str, country: &'static str, locale: &'static str, weight: u32) -> City {
    City { name, country, locale, weight }
}

/// Mostly Russian cities (≈ 90 %), then neighbours and a few abroad.
pub(crate) static CITIES: [City; 23] = [
    city("Москва", "RU", "ru-RU", 260),
    city("Санкт-Петербург", "RU", "ru-RU", 130),
    city("Новосибирск", "RU", "ru-RU", 50),
    city("Екатеринбург", "RU", "ru-RU", 50),
    city("Казань", "RU", "ru-RU", 45),
    city("Нижний Новгород", "RU", "ru-RU", 40),
    city("Краснодар", "RU", "ru-RU", 45),
    city("Самара", "RU", "ru-RU", 30),
    city("Ростов-на-Дону", "RU", "ru-RU", 30),
    city("Челябинск", "RU", "ru-RU", 25),
    city("Уфа", "RU", "ru-RU", 25),
    city("Красноярск", "RU", "ru-RU", 30),
    city("Пермь", "RU", "ru-RU", 25),
    city("Воронеж", "RU", "ru-RU", 25),
    city("Тюмень", "RU", "ru-RU", 20),
    city("Иркутск", "RU", "ru-RU", 25),
    city("Владивосток", "RU", "ru-RU", 20),
    city("Almaty", "KZ", "ru-KZ", 30),
    city("Astana", "KZ", "ru-KZ", 15),
    city("Minsk", "BY", "ru-BY", 25),
    city("Berlin", "DE", "de-DE", 10),
    city("Tbilisi", "GE", "ru-RU", 10),
    city("Yerevan", "AM", "ru-RU", 10),
];

/// Age bands (inclusive bounds) and their shares in % — outdoor shoppers skew 25–44.
pub(crate) const AGE_BANDS: [(i64, i64, u32); 5] =
    [(18, 24, 14), (25, 34, 30), (35, 44, 27), (45, 54, 16), (55, 70, 13)];

pub(crate) const GENDERS: [&str; 2] = ["male", "female"];
pub(crate) const GENDER_WEIGHTS: [u32; 2] = [55, 45];

pub(crate) const INCOME_BANDS: [&str; 4] = ["low", "middle", "upper_middle", "high"];
pub(crate) const INCOME_WEIGHTS: [u32; 4] = [20, 45, 25, 10];

/// A browser: its user agent and whether it runs on a phone.
#[derive(Debug)]
pub(crate) struct Browser {
    pub user_agent: &'static str,
    pub weight: u32,
}

/// Desktop browsers first, then mobile ones ([`MOBILE_FROM`] on); about 60 % of traffic is mobile.
pub(crate) static BROWSERS: [Browser; 7] = [
    Browser {
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/124.0.0.0 Safari/537.36",
        weight: 18,
    },
    Browser {
        user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36",
        weight: 14,
    },
    Browser {
        user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                     Version/17.4 Safari/605.1.15",
        weight: 8,
    },
    Browser {
        user_agent: "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/124.0.0.0 Mobile Safari/537.36",
        weight: 24,
    },
    Browser {
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                     Version/17.4 Mobile/15E148 Safari/604.1",
        weight: 20,
    },
    Browser {
        user_agent: "Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/122.0.0.0 YaBrowser/24.4.1.0 Mobile Safari/537.36",
        weight: 12,
    },
    Browser {
        user_agent: "Mozilla/5.0 (Linux; Android 12; M2101K6G) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/120.0.0.0 Mobile Safari/537.36",
        weight: 4,
    },
];

/// Index of the first mobile browser in [`BROWSERS`].
pub(crate) const MOBILE_FROM: usize = 3;

/// Relative activity by hour of the day, Moscow time (UTC+3): quiet nights, an evening peak.
pub(crate) const HOUR_WEIGHTS: [u32; 24] = [3, 2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 7, 7, 7, 7, 8, 9, 10, 11, 10, 8, 5];
/// Moscow's offset from UTC, ms.
pub(crate) const MSK_OFFSET_MS: i64 = 3 * 3_600_000;
