//! `/api/v1/attribution` (and `tropa attribution`): every attribution model side by side.

use schemars::JsonSchema;
use serde::Deserialize;
use tropa_core::analysis::attribution::{
    AttributionReport, AttributionSpec, ConversionCount, DirectRule, SessionTouches, TouchField,
};
use tropa_core::analysis::period::Period;
use tropa_core::time::parse_duration;
use tropa_engine::Engine;

use super::{any_event, Analysis, Filters, NamedEvents, Outcome, Problems};

/// The attribution request.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributionRequest {
    /// The conversion: `purchase`, `purchase where revenue > 1000`.
    pub conversion: String,
    /// Count every conversion (each ends a path) instead of each customer's first.
    #[serde(default)]
    pub every: bool,
    /// Events that are touches too: `email_open`, `call where duration > 60`.
    #[serde(default)]
    pub touches: Vec<String>,
    /// Session entries as touches: `entries` (default: a 30-minute gap or a new session_id), `gap` (the gap
    /// only) or `none` (only the touch events).
    pub sessions: Option<String>,
    /// What a touch is labelled by: channel (default), source, medium, campaign or any field.
    pub by: Option<String>,
    /// Touches longer than this before the conversion are cut (default 30d; `none`: no limit).
    pub lookback: Option<String>,
    /// Drop direct touches from a path that has any other ("last significant click").
    #[serde(default)]
    pub ignore_direct: bool,
    /// Time-decay half-life (default 7d).
    pub half_life: Option<String>,
    /// Position-based shares of the first and last touch in percent: `40/40` (default; `40/20/40` reads too).
    pub positions: Option<String>,
    /// Markov chain order, 1 to 3 (default 1).
    pub order: Option<usize>,
    /// Labels Shapley values one by one, 2 to 20 (default 20; the rest as `(other)`).
    pub players: Option<usize>,
    /// Top converting sequences listed (default 10).
    pub top: Option<usize>,
    /// Also attribute each `day`, `week` (ISO, Monday) or `month` of the project's time zone on its own: the
    /// paths that end in it; with costs, the spend of its days meets its conversions (`periods` in the answer).
    pub period: Option<String>,
    #[serde(default)]
    pub filters: Filters,
}

fn positions(text: &str) -> Result<(u32, u32), String> {
    let parts: Vec<&str> = text.split('/').map(str::trim).collect();
    let nums: Result<Vec<u32>, _> = parts.iter().map(|p| p.parse::<u32>()).collect();
    match (nums, parts.len()) {
        (Ok(n), 2) => Ok((n[0], n[1])),
        (Ok(n), 3) if n[0] + n[1] + n[2] == 100 => Ok((n[0], n[2])),
        _ => Err(format!("'{text}': use FIRST/LAST or FIRST/MIDDLE/LAST in percent adding up to 100, e.g. 40/20/40")),
    }
}

impl AttributionRequest {
    pub fn spec(&self, p: &mut Problems) -> Option<AttributionSpec> {
        let before = p.0.len();
        let conversion = p.event("conversion", &self.conversion).unwrap_or_else(any_event);
        let touch_events =
            self.touches.iter().enumerate().filter_map(|(i, t)| p.event(&format!("touches[{i}]"), t)).collect();
        let sessions = match self.sessions.as_deref().unwrap_or("entries") {
            "entries" => SessionTouches::Entries,
            "gap" => SessionTouches::GapEntries,
            "none" => SessionTouches::None,
            other => {
                let reason =
                    format!("'{other}': {}", p.1.pick("use entries, gap or none", "укажите entries, gap или none"));
                p.0.push(("sessions".into(), reason));
                SessionTouches::Entries
            }
        };
        let lookback_ms = match self.lookback.as_deref() {
            Some("none") => None,
            Some(t) => p.keep_text("lookback", parse_duration(t)).or(Some(1)),
            None => Some(30 * tropa_core::analysis::attribution::DAY_MS),
        };
        let half_life_ms = match &self.half_life {
            Some(t) => p.keep_text("half_life", parse_duration(t)).unwrap_or(1),
            None => 7 * tropa_core::analysis::attribution::DAY_MS,
        };
        let (first_share, last_share) =
            self.positions.as_deref().map_or(Some((40, 40)), |t| p.keep("positions", positions(t))).unwrap_or((40, 40));
        let spec = AttributionSpec {
            count: if self.every { ConversionCount::Every } else { ConversionCount::Once },
            sessions,
            touch_events,
            by: self.by.as_deref().map_or_else(TouchField::channel, TouchField::parse),
            lookback_ms,
            direct: if self.ignore_direct { DirectRule::IgnoreWhenOther } else { DirectRule::Keep },
            half_life_ms,
            first_share,
            last_share,
            order: self.order.unwrap_or(1),
            players: self.players.unwrap_or(tropa_core::analysis::attribution::MAX_PLAYERS),
            top: self.top.unwrap_or(10),
            period: self.period.as_deref().and_then(|t| p.keep_text("period", Period::parse(t))),
            calendar: p.calendar(),
            ..AttributionSpec::new(conversion)
        };
        p.checked(before, spec, AttributionSpec::validate)
    }
}

impl NamedEvents for AttributionRequest {
    fn events(&self) -> Vec<(String, String)> {
        let own = std::iter::once(("conversion".to_string(), self.conversion.clone()));
        let touches = self.touches.iter().enumerate().map(|(i, t)| (format!("touches[{i}]"), t.clone()));
        own.chain(touches).chain(self.filters.events()).collect()
    }
}

impl Analysis for AttributionRequest {
    type Spec = AttributionSpec;
    const BODY_REQUIRED: bool = true;
    fn filters(&self) -> &Filters {
        &self.filters
    }
    fn spec(&self, _: &dyn Engine, p: &mut Problems) -> Option<AttributionSpec> {
        AttributionRequest::spec(self, p)
    }
    fn events(&self) -> Vec<(String, String)> {
        NamedEvents::events(self)
    }
}

impl Outcome for AttributionReport {
    fn is_empty(&self) -> bool {
        self.customers == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_core::lang::Lang;

    #[test]
    fn every_field_problem_is_named() {
        let req = AttributionRequest {
            conversion: "purchase where".into(),
            lookback: Some(String::new()),
            positions: Some("50/60".into()),
            order: Some(4),
            sessions: Some("visits".into()),
            period: Some("quarter".into()),
            ..AttributionRequest::default()
        };
        let mut p = Problems::new(Lang::En);
        assert!(req.spec(&mut p).is_none());
        let fields: Vec<&str> = p.0.iter().map(|(f, _)| f.as_str()).collect();
        for f in ["conversion", "sessions", "lookback", "positions", "order", "period"] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
        let ok = AttributionRequest { conversion: "purchase".into(), positions: Some("30/40/30".into()), ..req };
        let ok = AttributionRequest { lookback: None, order: None, sessions: None, period: Some("month".into()), ..ok };
        let spec = ok.spec(&mut Problems::new(Lang::En)).unwrap();
        assert_eq!((spec.first_share, spec.last_share, spec.period), (30, 30, Some(Period::Month)));
    }
}
