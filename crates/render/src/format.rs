//! Locale-aware numbers: thousands separators, decimal marks and percent signs as Russian and English readers
//! expect them.

/// The language of a chart's numbers (and of the few words charts write themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Ru,
}

/// How a chart writes its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// Whole numbers (customers, events).
    Count,
    /// Shares 0..1 written as percentages.
    Percent,
}

impl Locale {
    /// `12345` → `12,345` (en) or `12 345` (ru, a narrow no-break space).
    pub fn int(self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self {
            Locale::En => ",",
            Locale::Ru => "\u{202f}",
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    /// A share 0..1 with one decimal: `45.6%` (en) or `45,6 %` (ru).
    pub fn percent(self, share: f64) -> String {
        let text = format!("{:.1}", share * 100.0);
        match self {
            Locale::En => format!("{text}%"),
            Locale::Ru => format!("{}\u{a0}%", text.replace('.', ",")),
        }
    }

    pub fn value(self, v: f64, f: ValueFormat) -> String {
        match f {
            ValueFormat::Count => self.int(v.max(0.0).round() as u64),
            ValueFormat::Percent => self.percent(v),
        }
    }

    /// The chart's word for "no data".
    pub fn no_data(self) -> &'static str {
        match self {
            Locale::En => "no data yet",
            Locale::Ru => "данных пока нет",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_per_locale() {
        assert_eq!(Locale::En.int(1234567), "1,234,567");
        assert_eq!(Locale::Ru.int(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(Locale::En.int(999), "999");
        assert_eq!(Locale::En.percent(0.4567), "45.7%");
        assert_eq!(Locale::Ru.percent(0.4567), "45,7\u{a0}%");
        assert_eq!(Locale::En.value(0.5, ValueFormat::Percent), "50.0%");
    }
}
