//! "Did you mean": the known name closest to one that is not known — a typo (`view_itme` → `view_item`, by
//! edit distance with transpositions) or the wrong keyboard layout (`мшуц_шеуь`, typed with the Russian layout
//! on, → `view_item`).
//!
//! ```
//! use tropa_core::suggest::did_you_mean;
//! let known = ["view_item", "add_to_cart", "purchase"];
//! assert_eq!(did_you_mean("view_itme", known), Some("view_item"));
//! assert_eq!(did_you_mean("мшуц_шеуь", known), Some("view_item"));
//! assert_eq!(did_you_mean("add_to_card", known), Some("add_to_cart"));
//! assert_eq!(did_you_mean("refund", known), None);
//! ```

/// The keys of the Russian ЙЦУКЕН layout and the Latin letters on the same keys (QWERTY).
const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
const EN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";

/// `text` as if typed with the other layout (Cyrillic keys read as the Latin ones on the same keys, and back);
/// None when it has no letter of either layout.
pub fn other_layout(text: &str) -> Option<String> {
    let mut changed = false;
    let out: String = text
        .chars()
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            let swap = |from: &str, to: &str| from.chars().position(|k| k == lower).and_then(|i| to.chars().nth(i));
            match swap(RU, EN).or_else(|| lower.is_ascii_alphabetic().then(|| swap(EN, RU)).flatten()) {
                Some(o) => {
                    changed = true;
                    if c.is_uppercase() {
                        o.to_uppercase().next().unwrap_or(o)
                    } else {
                        o
                    }
                }
                None => c,
            }
        })
        .collect();
    changed.then_some(out)
}

/// The edit distance between `a` and `b` counting an exchange of two neighbours as one edit (optimal string
/// alignment), in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The known name `typed` most likely meant: the same name in the other keyboard layout, or the closest one
/// within a distance that grows with the length (none up to 3 characters — too many short names are one edit
/// apart —, 1 edit up to 5, 2 up to 9, then 3); ties go to the first in `known`. None when `typed` is known, or
/// nothing is close.
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let known: Vec<&str> = known.into_iter().collect();
    if known.contains(&typed) {
        return None;
    }
    if let Some(swapped) = other_layout(typed) {
        if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(&swapped)) {
            return Some(k);
        }
    }
    let n = typed.chars().count();
    let limit = match n {
        0..=3 => 0,
        4..=5 => 1,
        6..=9 => 2,
        _ => 3,
    };
    let lower = typed.to_lowercase();
    known
        .iter()
        .map(|k| (distance(&lower, &k.to_lowercase()), *k))
        .filter(|(d, _)| *d > 0 && *d <= limit || *d == 0 && lower != typed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distance_counts_edits_and_swaps() {
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("purchase", "purchase"), 0);
        assert_eq!(distance("purchsae", "purchase"), 1, "a swap is one edit");
        assert_eq!(distance("add_to_card", "add_to_cart"), 1);
        assert_eq!(distance("покупка", "покупки"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_other_layout_is_the_same_keys() {
        assert_eq!(other_layout("мшуц_шеуь").as_deref(), Some("view_item"));
        assert_eq!(other_layout("Згксрфыу").as_deref(), Some("Purchase"));
        assert_eq!(other_layout("ghbdtn").as_deref(), Some("привет"));
        assert_eq!(other_layout("123_!"), None);
    }

    #[test]
    fn suggestions_are_close_or_none() {
        let known = ["view_item", "add_to_cart", "begin_checkout", "purchase", "email_open", "a"];
        assert_eq!(did_you_mean("purchase", known), None, "a known name needs no suggestion");
        assert_eq!(did_you_mean("purchse", known), Some("purchase"));
        assert_eq!(did_you_mean("Purchase", known), Some("purchase"));
        assert_eq!(did_you_mean("begin_chekout", known), Some("begin_checkout"));
        assert_eq!(did_you_mean("ыгззщке_ешслуе", ["support_ticket"]), Some("support_ticket"));
        assert_eq!(did_you_mean("signup", known), None);
        assert_eq!(did_you_mean("b", known), None, "short names are too close to each other to guess");
        assert_eq!(did_you_mean("x", Vec::<&str>::new()), None);
    }
}
