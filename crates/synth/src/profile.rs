//! One customer: identifiers, demographics (the identify traits), devices and the experiment variant.

use std::fmt::Write as _;

use crate::catalog::{CATEGORIES, CATEGORY_WEIGHTS, EXTRA_INTERESTS};
use crate::people::{
    City, AGE_BANDS, BROWSERS, CITIES, GENDERS, GENDER_WEIGHTS, INCOME_BANDS, INCOME_WEIGHTS, MOBILE_FROM,
};
use crate::rng::{mix, Rng};

/// The checkout experiment arm of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    A,
    B,
}

impl Variant {
    /// The assignment any experiment service would make: a hash of experiment key and user id, split in two.
    pub(crate) fn of(user_id: &str) -> Variant {
        let mut key = [0u8; 64];
        let text = b"checkout_v2:";
        let n = text.len() + user_id.len();
        let h = if n <= key.len() {
            key[..text.len()].copy_from_slice(text);
            key[text.len()..n].copy_from_slice(user_id.as_bytes());
            xxhash_rust::xxh3::xxh3_64(&key[..n])
        } else {
            xxhash_rust::xxh3::xxh3_64([&text[..], user_id.as_bytes()].concat().as_slice())
        };
        if h & 1 == 0 {
            Variant::A
        } else {
            Variant::B
        }
    }

    /// `begin_checkout` properties announcing the exposure.
    pub(crate) fn checkout_props(self) -> &'static str {
        match self {
            Variant::A => "{\"experiment\":\"checkout_v2\",\"variant\":\"A\"}",
            Variant::B => "{\"experiment\":\"checkout_v2\",\"variant\":\"B\"}",
        }
    }
}

/// The second planted experiment, `cart_page_v3`, exposed on the cart page view: an even split by a hash of
/// "cart_page_v3:" and the user id, but a broken logger drops the exposure of about one in four B customers (their
/// cart page view carries no experiment properties), so the observed split shows a sample-ratio mismatch.
/// Nothing else differs between the arms.
pub(crate) fn cart_props(user_id: &str) -> &'static str {
    let h = xxhash_rust::xxh3::xxh3_64([&b"cart_page_v3:"[..], user_id.as_bytes()].concat().as_slice());
    match (h & 1, (h >> 8) % 4) {
        (0, _) => "{\"experiment\":\"cart_page_v3\",\"variant\":\"A\"}",
        (_, 0) => "{}",
        _ => "{\"experiment\":\"cart_page_v3\",\"variant\":\"B\"}",
    }
}

/// Everything fixed about a customer before the journey starts.
#[derive(Debug)]
pub(crate) struct Profile {
    /// Anonymous ids of the first and (if any) second device: `a-<16 hex>`, unique for a seed.
    pub anon: [String; 2],
    /// Whether the customer also uses a second device once logged in.
    pub second_device: bool,
    /// `u-<16 hex>`, unique for a seed.
    pub user: String,
    pub user_agent: [&'static str; 2],
    pub city: &'static City,
    pub locale: &'static str,
    /// Index into [`CATEGORIES`].
    pub favourite: usize,
    /// The identify traits, a compact JSON object.
    pub traits: String,
    pub variant: Variant,
    /// Cart page view properties (the `cart_page_v3` exposure, see [`cart_props`]).
    pub cart: &'static str,
}

impl Profile {
    pub(crate) fn new(seed: u64, index: u64, rng: &mut Rng) -> Profile {
        let salt = mix(seed ^ 0xA11CE);
        let id = |prefix: &str, x: u64| {
            let mut s = String::with_capacity(18);
            s.push_str(prefix);
            // `mix` is a bijection, so distinct customers (and devices) never share an id.
            let v = mix(x ^ salt);
            for shift in (0..16).rev() {
                s.push(char::from(b"0123456789abcdef"[(v >> (shift * 4)) as usize & 15]));
            }
            s
        };
        let anon = [id("a-", index << 1), id("a-", (index << 1) | 1)];
        let user = id("u-", mix(index ^ 0x5EED_0005E5));
        let second_device = rng.chance(0.25);
        let weights: [u32; BROWSERS.len()] = std::array::from_fn(|i| BROWSERS[i].weight);
        let first = rng.weighted(&weights);
        // The second device is of the other kind: a phone for desktop users and vice versa.
        let second = if first < MOBILE_FROM {
            MOBILE_FROM + rng.below((BROWSERS.len() - MOBILE_FROM) as u64) as usize
        } else {
            rng.below(MOBILE_FROM as u64) as usize
        };
        let city_weights: [u32; CITIES.len()] = std::array::from_fn(|i| CITIES[i].weight);
        let city = &CITIES[rng.weighted(&city_weights)];
        let locale = if city.country == "RU" && rng.chance(0.04) { "en-US" } else { city.locale };
        let favourite = rng.weighted(&CATEGORY_WEIGHTS);
        let traits = traits(rng, city, favourite);
        let variant = Variant::of(&user);
        let cart = cart_props(&user);
        Profile {
            anon,
            second_device,
            user,
            user_agent: [BROWSERS[first].user_agent, BROWSERS[second].user_agent],
            city,
            locale,
            favourite,
            traits,
            variant,
            cart,
        }
    }
}

fn traits(rng: &mut Rng, city: &City, favourite: usize) -> String {
    let band = AGE_BANDS[rng.weighted(&AGE_BANDS.map(|b| b.2))];
    let age = rng.between(band.0, band.1);
    let gender = GENDERS[rng.weighted(&GENDER_WEIGHTS)];
    let income = INCOME_BANDS[rng.weighted(&INCOME_WEIGHTS)];
    let mut t = String::with_capacity(160);
    let _ = write!(
        t,
        "{{\"age\":{age},\"gender\":\"{gender}\",\"city\":\"{}\",\"country\":\"{}\",\"income_band\":\"{income}\",\
         \"interests\":[",
        city.name, city.country
    );
    let own = CATEGORIES[favourite].interests;
    let take = 1 + rng.below(own.len() as u64) as usize;
    for (i, interest) in own[..take].iter().enumerate() {
        if i > 0 {
            t.push(',');
        }
        let _ = write!(t, "\"{interest}\"");
    }
    if rng.chance(0.4) {
        let extra = rng.pick(EXTRA_INTERESTS);
        if !own[..take].contains(extra) {
            let _ = write!(t, ",\"{extra}\"");
        }
    }
    t.push_str("]}");
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_traits_are_json() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..500 {
            let p = Profile::new(9, i, &mut Rng::for_customer(9, i));
            assert!(p.anon[0].starts_with("a-") && p.user.starts_with("u-") && p.user.len() == 18);
            assert!(seen.insert(p.anon[0].clone()) && seen.insert(p.anon[1].clone()) && seen.insert(p.user.clone()));
            let v: serde_json::Value = serde_json::from_str(&p.traits).expect("traits are JSON");
            let age = v["age"].as_i64().expect("age");
            assert!((18..=70).contains(&age));
            assert!(v["interests"].as_array().is_some_and(|a| !a.is_empty()));
            assert_eq!(v["city"], p.city.name);
        }
    }

    #[test]
    fn variants_split_evenly() {
        let b = (0..10_000).filter(|i| Variant::of(&format!("u-{i:016x}")) == Variant::B).count();
        assert!((4_800..5_200).contains(&b), "{b}");
    }

    #[test]
    fn cart_page_v3_loses_a_quarter_of_b_exposures() {
        let props: Vec<&str> = (0..10_000).map(|i| cart_props(&format!("u-{i:016x}"))).collect();
        let a = props.iter().filter(|p| p.contains("\"A\"")).count();
        let b = props.iter().filter(|p| p.contains("\"B\"")).count();
        let share = b as f64 / (a + b) as f64;
        assert!((0.41..0.45).contains(&share), "B share {share:.3}");
    }
}
