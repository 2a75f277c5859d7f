//! Throughput of sentiment + themes over many texts on one core, and the peak memory of the process.
//!
//! `cargo run --release -p tropa-text --example bench_text -- [N]` (default 1,000,000) builds N review-like
//! texts, Russian and English half each, from fragments with a fixed seed (so every run scores the same
//! texts), then scores each one's sentiment and assigns its themes on this thread, and prints texts per
//! second and the peak resident memory (VmHWM from /proc/self/status, Linux).
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

const RU: &[&str] = &[
    "Доставка опоздала на три дня",
    "курьер был вежлив",
    "очень понравилось качество",
    "не понравилась упаковка, коробка мятая",
    "цена высокая, но товар хороший",
    "размер маломерит, оформила возврат",
    "поддержка не отвечает уже неделю 😡",
    "всё супер, спасибо!",
    "оплата картой не прошла",
    "сайт зависает при оформлении заказа",
    "никогда больше не закажу",
    "пришло быстро 👍",
];
const EN: &[&str] = &[
    "Delivery was late again",
    "the courier was friendly",
    "I really love the quality",
    "not happy with the packaging, the box was crushed",
    "price is high but the product is good",
    "size runs small so I returned it",
    "support never answered 😡",
    "great service, thank you!",
    "payment failed twice at checkout",
    "the app keeps crashing",
    "will never order here again",
    "arrived fast 👍",
];

fn texts(n: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    (0..n)
        .map(|i| {
            let pool = if i % 2 == 0 { RU } else { EN };
            let parts = 1 + next(3);
            (0..parts).map(|_| pool[next(pool.len())]).collect::<Vec<_>>().join(". ")
        })
        .collect()
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let texts = texts(n);
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let themes = tropa_text::ThemeList::builtin();
    // warm the embedded models and lists before the clock starts
    let _ = tropa_text::sentiment("прогрев warm-up");
    let start = Instant::now();
    let (mut negative, mut themed) = (0usize, 0usize);
    // a second argument `sentiment` or `themes` times one of the two alone
    let only = std::env::args().nth(2).unwrap_or_default();
    for t in &texts {
        if only != "themes" {
            let s = tropa_text::sentiment(t);
            negative += usize::from(s.label == tropa_text::Label::Negative);
        }
        if only != "sentiment" {
            themed += usize::from(!themes.assign(t).is_empty());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} texts ({:.1} chars on average), sentiment + themes on 1 core: {secs:.2} s, {:.0} texts/s; \
         negative {negative}, with a theme {themed}; peak memory {} MiB",
        chars as f64 / n as f64,
        n as f64 / secs,
        peak_memory_kib().map(|k| format!("{:.1}", k as f64 / 1024.0)).unwrap_or_else(|| "?".into()),
    );
}
