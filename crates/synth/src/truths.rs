//! The planted truths: patterns put into the data on purpose so that analyses have something real to find, and
//! the knobs that plant them.
//!
//! Rates are for the default configuration (28 weeks); the crate's tests measure each one on 100,000 customers.

/// One planted truth, in English and Russian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truth {
    /// Stable identifier, e.g. `cart_abandonment`.
    pub key: &'static str,
    pub en: &'static str,
    pub ru: &'static str,
}

/// Probability that a customer who adds to cart goes on to begin checkout.
pub(crate) const P_CHECKOUT_GIVEN_CART: f64 = 0.50;
/// Probability that checkout ends in a purchase, in variant A and B of `checkout_v2`.
pub(crate) const P_PAY_A: f64 = 0.58;
pub(crate) const P_PAY_B: f64 = 0.62;
/// Probability of a `delivery_delay` support ticket when delivery is slow (> 5 days) or fast.
pub(crate) const P_TICKET_SLOW: f64 = 0.60;
pub(crate) const P_TICKET_FAST: f64 = 0.03;
/// Probability of buying again after the first order, by its delivery (before the period's end cuts some off).
pub(crate) const P_REPEAT_SLOW: f64 = 0.125;
pub(crate) const P_REPEAT_FAST: f64 = 0.42;
/// Probability of yet another order after the second, third, …
pub(crate) const P_REPEAT_LATER_SLOW: f64 = 0.08;
pub(crate) const P_REPEAT_LATER_FAST: f64 = 0.25;

static TRUTHS: [Truth; 9] = [
    Truth {
        key: "cart_abandonment",
        en: "About 70 % of customers who add something to the cart never buy: half of them stop before checkout, \
             and of those who begin checkout about 40 % leave before paying.",
        ru: "Около 70 % покупателей, положивших товар в корзину, так ничего и не покупают: половина не доходит до \
             оформления заказа, а из начавших оформление около 40 % уходят до оплаты.",
    },
    Truth {
        key: "channel_2x",
        en: "Customers whose first visit came from the email newsletter (source newsletter, medium email) buy about \
             twice as often (≈ 18 %) as the average of the paid channels Yandex Direct, Google Ads and VK Ads \
             (≈ 8 %).",
        ru: "Покупатели, впервые пришедшие из email-рассылки (source newsletter, medium email), покупают примерно \
             вдвое чаще (≈ 18 %), чем в среднем пришедшие из платных каналов — Яндекс Директа, Google Ads и VK \
             Рекламы (≈ 8 %).",
    },
    Truth {
        key: "checkout_variant_b",
        en: "Experiment checkout_v2: every customer who begins checkout is assigned variant A or B by a hash of \
             \"checkout_v2:\" and the user id (shown in begin_checkout properties); B turns checkouts into \
             purchases about 4 percentage points more often (≈ 62 % against ≈ 58 %).",
        ru: "Эксперимент checkout_v2: каждый начавший оформление заказа получает вариант A или B по хешу \
             «checkout_v2:» и user id (он есть в свойствах begin_checkout); в варианте B оформление завершается \
             покупкой примерно на 4 процентных пункта чаще (≈ 62 % против ≈ 58 %).",
    },
    Truth {
        key: "slow_delivery_churn",
        en: "About 25 % of orders take more than 5 days to deliver (most often with russian_post). After a slow \
             first order about 60 % of buyers open a support ticket with topic delivery_delay (3 % after a fast \
             one) and only about 10 % buy again (35 % after a fast one).",
        ru: "Около 25 % заказов доставляются дольше 5 дней (чаще всего Почтой России, russian_post). После \
             медленной первой доставки около 60 % покупателей обращаются в поддержку с темой delivery_delay \
             (после быстрой — 3 %), и только около 10 % покупают снова (после быстрой — 35 %).",
    },
    Truth {
        key: "repeat_purchase",
        en: "About 30 % of buyers (28.9 % measured) buy again within the period, online, in a shop or by phone.",
        ru: "Около 30 % покупателей (измерено 28,9 %) покупают повторно в пределах периода — на сайте, в магазине \
             или по телефону.",
    },
    Truth {
        key: "one_session_churn",
        en: "About 60 % of customers come once and never return; most of them leave after a page or two.",
        ru: "Около 60 % клиентов приходят один раз и больше не возвращаются; большинство уходит после одной-двух \
             страниц.",
    },
    Truth {
        key: "paid_opens_journeys",
        en: "Paid search (Yandex Direct, Google Ads) opens journeys that direct visits close: buyers first come from \
             an ad and come back directly to buy. On last touch paid search looks weaker than it is; first touch \
             gives it about a quarter more, the Markov chain and the Shapley value about a tenth more, and direct \
             visits about a tenth less.",
        ru: "Платный поиск (Яндекс Директ, Google Ads) открывает пути, которые закрывают прямые заходы: покупатели \
             впервые приходят из рекламы, а покупают, вернувшись напрямую. По последнему касанию платный поиск \
             выглядит слабее, чем есть: первое касание даёт ему примерно на четверть больше, цепи Маркова и \
             вектор Шепли — примерно на десятую часть больше, а прямым заходам — на десятую часть меньше.",
    },
    Truth {
        key: "slow_delivery_feedback",
        en: "Customers speak about slow deliveries: after a delivery of more than 5 days about 17 % rate it 4–5 of 5 \
             (about 85 % after a fast one), their \"why?\" answers and reviews complain about the wait, and reviews \
             and NPS answers after a slow delivery are mostly detractors — the after-sale stage has the most negative \
             feedback and the most customers lost.",
        ru: "Клиенты говорят о медленной доставке: после доставки дольше 5 дней её оценивают на 4–5 из 5 около 17 % \
             (после быстрой — около 85 %), ответы «почему?» и отзывы жалуются на ожидание, а отзывы и ответы NPS \
             после медленной доставки — в основном критики: на этапе после покупки больше всего негатива и \
             больше всего потерянных клиентов.",
    },
    Truth {
        key: "cart_page_srm",
        en: "Experiment cart_page_v3, announced on the cart page view, splits customers evenly by a hash of \
             \"cart_page_v3:\" and the user id, but about one in four B exposures is never logged: the observed \
             split (≈ 43 % B) is a sample-ratio mismatch, and its results must not be trusted.",
        ru: "Эксперимент cart_page_v3 (показ — просмотр страницы корзины) делит клиентов поровну по хешу \
             «cart_page_v3:» и user id, но примерно каждый четвёртый показ варианта B не записывается: наблюдаемое \
             деление (≈ 43 % в B) — несоответствие долей выборки, результатам такого теста доверять нельзя.",
    },
];

/// The planted truths of the generated data (see the crate documentation).
pub fn truths() -> &'static [Truth] {
    &TRUTHS
}
