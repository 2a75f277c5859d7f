//! The shop: an outdoor-goods store «Тропа» at `https://shop.example`, its pages, products and searches.
//!
//! Everything is a `&'static str` built at compile time (`concat!`), so that events copy text instead of
//! formatting it.

/// A page of the site.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub url: &'static str,
    pub title: &'static str,
}

pub(crate) const HOME: Page =
    Page { url: "https://shop.example/", title: "Тропа — снаряжение для походов" };
pub(crate) const CART: Page = Page { url: "https://shop.example/cart", title: "Корзина — Тропа" };
pub(crate) const CHECKOUT: Page =
    Page { url: "https://shop.example/checkout", title: "Оформление заказа — Тропа" };
pub(crate) const PAYMENT: Page =
    Page { url: "https://shop.example/checkout/payment", title: "Оплата заказа — Тропа" };
pub(crate) const THANK_YOU: Page =
    Page { url: "https://shop.example/checkout/success", title: "Спасибо за заказ — Тропа" };
pub(crate) const ACCOUNT: Page =
    Page { url: "https://shop.example/account", title: "Личный кабинет — Тропа" };
pub(crate) const NO_PAGE: Page = Page { url: "", title: "" };

/// A product with its page and the properties of `view_item` / `add_to_cart` events.
#[derive(Debug)]
pub(crate) struct Product {
    pub id: &'static str,
    pub category: &'static str,
    pub price: u32,
    pub page: Page,
    /// `{"product_id":…,"category":…,"price":…}`
    pub props: &'static str,
    /// `{"product_id":…,"category":…,"price":…,"quantity":1}`
    pub cart_props: &'static str,
}

macro_rules! product {
    ($id:literal, $cat:literal, $price:literal, $name:literal) => {
        Product {
            id: $id,
            category: $cat,
            price: $price,
            page: Page {
                url: concat!("https://shop.example/p/", $id),
                title: concat!($name, " — купить в магазине Тропа"),
            },
            props: concat!("{\"product_id\":\"", $id, "\",\"category\":\"", $cat, "\",\"price\":", $price, "}"),
            cart_props: concat!(
                "{\"product_id\":\"",
                $id,
                "\",\"category\":\"",
                $cat,
                "\",\"price\":",
                $price,
                ",\"quantity\":1}"
            ),
        }
    };
}

/// A site search: the query as typed, its results page and the `search` event properties.
#[derive(Debug)]
pub(crate) struct Search {
    pub page: Page,
    pub props: &'static str,
}

macro_rules! search {
    ($query:literal, $encoded:literal) => {
        Search {
            page: Page {
                url: concat!("https://shop.example/search?q=", $encoded),
                title: concat!("Поиск: ", $query, " — Тропа"),
            },
            props: concat!("{\"query\":\"", $query, "\"}"),
        }
    };
}

/// A product category with its products, typical searches and the interests of people who favour it.
#[derive(Debug)]
pub(crate) struct Category {
    pub page: Page,
    pub products: &'static [Product],
    pub searches: &'static [Search],
    pub interests: &'static [&'static str],
}

pub(crate) const TENTS: usize = 0;
pub(crate) const BACKPACKS: usize = 1;
pub(crate) const SLEEPING_BAGS: usize = 2;
pub(crate) const FOOTWEAR: usize = 3;
pub(crate) const JACKETS: usize = 4;

/// The five categories; [`CATEGORY_WEIGHTS`] gives how often each is a customer's favourite.
pub(crate) static CATEGORIES: [Category; 5] = [
    Category {
        page: Page { url: "https://shop.example/c/tents", title: "Палатки — Тропа" },
        products: &[
            product!("t-101", "tents", 8990, "Палатка Тропа Лайт 2"),
            product!("t-102", "tents", 14990, "Палатка Тропа Трек 3"),
            product!("t-103", "tents", 21990, "Палатка Кедр 4 кемпинговая"),
            product!("t-104", "tents", 34990, "Палатка Алтай 2 экспедиционная"),
            product!("t-105", "tents", 4990, "Тент Навес 3×3"),
            product!("t-106", "tents", 27990, "Палатка Байкал 6 семейная"),
        ],
        searches: &[
            search!("палатка 3 местная", "%D0%BF%D0%B0%D0%BB%D0%B0%D1%82%D0%BA%D0%B0%203%20%D0%BC%D0%B5%D1%81%D1%82%D0%BD%D0%B0%D1%8F"),
            search!("палатка для похода", "%D0%BF%D0%B0%D0%BB%D0%B0%D1%82%D0%BA%D0%B0%20%D0%B4%D0%BB%D1%8F%20%D0%BF%D0%BE%D1%85%D0%BE%D0%B4%D0%B0"),
        ],
        interests: &["camping", "hiking"],
    },
    Category {
        page: Page { url: "https://shop.example/c/backpacks", title: "Рюкзаки — Тропа" },
        products: &[
            product!("b-201", "backpacks", 4490, "Рюкзак Тропа 30"),
            product!("b-202", "backpacks", 7990, "Рюкзак Тропа 45"),
            product!("b-203", "backpacks", 12990, "Рюкзак Экспедиция 70"),
            product!("b-204", "backpacks", 3490, "Рюкзак Трейл 20 беговой"),
            product!("b-205", "backpacks", 10990, "Рюкзак Вершина 55 женский"),
        ],
        searches: &[
            search!("туристический рюкзак", "%D1%82%D1%83%D1%80%D0%B8%D1%81%D1%82%D0%B8%D1%87%D0%B5%D1%81%D0%BA%D0%B8%D0%B9%20%D1%80%D1%8E%D0%BA%D0%B7%D0%B0%D0%BA"),
            search!("рюкзак 45 литров", "%D1%80%D1%8E%D0%BA%D0%B7%D0%B0%D0%BA%2045%20%D0%BB%D0%B8%D1%82%D1%80%D0%BE%D0%B2"),
        ],
        interests: &["hiking", "trekking", "travel"],
    },
    Category {
        page: Page { url: "https://shop.example/c/sleeping_bags", title: "Спальные мешки — Тропа" },
        products: &[
            product!("s-301", "sleeping_bags", 5990, "Спальник Кокон −5"),
            product!("s-302", "sleeping_bags", 2990, "Спальник Одеяло +5"),
            product!("s-303", "sleeping_bags", 14990, "Спальник Пух −15"),
            product!("s-304", "sleeping_bags", 3990, "Коврик самонадувающийся"),
        ],
        searches: &[
            search!("спальный мешок", "%D1%81%D0%BF%D0%B0%D0%BB%D1%8C%D0%BD%D1%8B%D0%B9%20%D0%BC%D0%B5%D1%88%D0%BE%D0%BA"),
            search!("спальник зимний", "%D1%81%D0%BF%D0%B0%D0%BB%D1%8C%D0%BD%D0%B8%D0%BA%20%D0%B7%D0%B8%D0%BC%D0%BD%D0%B8%D0%B9"),
        ],
        interests: &["camping", "fishing"],
    },
    Category {
        page: Page { url: "https://shop.example/c/footwear", title: "Треккинговая обувь — Тропа" },
        products: &[
            product!("f-401", "footwear", 12990, "Ботинки Трек GTX"),
            product!("f-402", "footwear", 7990, "Кроссовки Трейл"),
            product!("f-403", "footwear", 15990, "Ботинки Зима −30"),
            product!("f-404", "footwear", 3990, "Сандалии Река"),
        ],
        searches: &[
            search!("треккинговые ботинки", "%D1%82%D1%80%D0%B5%D0%BA%D0%BA%D0%B8%D0%BD%D0%B3%D0%BE%D0%B2%D1%8B%D0%B5%20%D0%B1%D0%BE%D1%82%D0%B8%D0%BD%D0%BA%D0%B8"),
            search!("ботинки gore-tex", "%D0%B1%D0%BE%D1%82%D0%B8%D0%BD%D0%BA%D0%B8%20gore-tex"),
        ],
        interests: &["trekking", "running"],
    },
    Category {
        page: Page { url: "https://shop.example/c/jackets", title: "Куртки и мембраны — Тропа" },
        products: &[
            product!("j-501", "jackets", 14990, "Куртка мембранная Шторм"),
            product!("j-502", "jackets", 19990, "Пуховик Эверест"),
            product!("j-503", "jackets", 3990, "Флис Тропа"),
            product!("j-504", "jackets", 5490, "Ветровка Бриз"),
        ],
        searches: &[
            search!("мембранная куртка", "%D0%BC%D0%B5%D0%BC%D0%B1%D1%80%D0%B0%D0%BD%D0%BD%D0%B0%D1%8F%20%D0%BA%D1%83%D1%80%D1%82%D0%BA%D0%B0"),
            search!("пуховик", "%D0%BF%D1%83%D1%85%D0%BE%D0%B2%D0%B8%D0%BA"),
        ],
        interests: &["skiing", "climbing", "travel"],
    },
];

/// How often each category is a customer's favourite (tents and backpacks lead).
pub(crate) const CATEGORY_WEIGHTS: [u32; 5] = [30, 25, 15, 15, 15];

/// Interests anyone may add to those of their favourite category.
pub(crate) const EXTRA_INTERESTS: &[&str] = &["fishing", "cycling", "photography", "kayaking", "running", "travel"];

/// `add_payment_info` properties: card, the Russian fast payment system, cash on delivery.
pub(crate) const PAYMENT_PROPS: [&str; 3] =
    ["{\"payment_type\":\"card\"}", "{\"payment_type\":\"sbp\"}", "{\"payment_type\":\"cash_on_delivery\"}"];
pub(crate) const PAYMENT_WEIGHTS: [u32; 3] = [60, 30, 10];
pub(crate) const PAYMENT_TYPES: [&str; 3] = ["card", "sbp", "cash_on_delivery"];

/// Carriers and how often each is used; the third is the slow one.
pub(crate) const CARRIERS: [&str; 3] = ["cdek", "boxberry", "russian_post"];
pub(crate) const CARRIER_WEIGHTS: [u32; 3] = [50, 25, 25];
/// Probability that an order shipped by each carrier takes more than five days (overall 25 %).
pub(crate) const CARRIER_SLOW: [f64; 3] = [0.15, 0.20, 0.50];

/// Support topics other than `delivery_delay`, with weights.
pub(crate) const OTHER_TOPICS: [&str; 4] = ["size_exchange", "product_question", "payment_issue", "order_change"];
pub(crate) const OTHER_TOPIC_WEIGHTS: [u32; 4] = [35, 35, 15, 15];

/// Review texts by score band: 0–6 (detractors), 7–8, 9–10.
pub(crate) const REVIEW_TEXTS: [&[&str]; 3] = [
    &[
        "Доставка заняла почти две недели, никто не предупредил.",
        "Товар нормальный, но ждать пришлось слишком долго.",
        "Курьер переносил доставку три раза, больше не закажу.",
    ],
    &["Хорошая вещь за свои деньги.", "В целом доволен, размер подошёл.", "Неплохо, но упаковка была помята."],
    &[
        "Отличное снаряжение, уже проверил в походе!",
        "Быстрая доставка, всё как на фото. Спасибо!",
        "Лучший магазин для туристов, рекомендую друзьям.",
    ],
];
