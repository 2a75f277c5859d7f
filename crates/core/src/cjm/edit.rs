//! Changes to a map, one at a time: what the editor sends on every keystroke pause, button and drag. An edit is
//! applied to a copy and kept only if the map stays valid, so a stored map is always valid.

use serde::Deserialize;

use super::{check_key, JourneyMap, Lane, LaneKind, MapError, MapStage, Period, Segment};

/// One change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    SetTitle {
        title: String,
    },
    SetDescription {
        description: String,
    },
    /// The text of a written lane's cell ("" clears it).
    SetCell {
        lane: String,
        stage: String,
        text: String,
    },
    /// An emotion score −2…+2, or none.
    SetScore {
        lane: String,
        stage: String,
        score: Option<i8>,
    },
    /// A new stage after `after` (or first); its key comes from the name.
    AddStage {
        name: String,
        event: Vec<String>,
        after: Option<String>,
    },
    RenameStage {
        stage: String,
        name: String,
    },
    SetStageRule {
        stage: String,
        event: Vec<String>,
    },
    /// Moves a stage to position `to` (0-based).
    MoveStage {
        stage: String,
        to: usize,
    },
    RemoveStage {
        stage: String,
    },
    AddLane {
        kind: LaneKind,
        title: Option<String>,
        after: Option<String>,
    },
    RenameLane {
        lane: String,
        title: String,
    },
    MoveLane {
        lane: String,
        to: usize,
    },
    RemoveLane {
        lane: String,
    },
    SetProblems {
        problems: Vec<String>,
    },
    SetSegment {
        segment: Segment,
    },
    SetPeriod {
        period: Period,
    },
    SetPersonas {
        personas: Vec<String>,
    },
}

fn missing(what: &str, field: &str, key: &str) -> MapError {
    MapError::one(field, format!("no {what} '{key}'"))
}

/// A key from a name: ASCII letters and digits kept, Cyrillic transliterated, the rest `_`; unique among `taken`.
fn key_from(name: &str, prefix: &str, taken: &[&str]) -> String {
    const CYR: &[(char, &str)] = &[
        ('а', "a"),
        ('б', "b"),
        ('в', "v"),
        ('г', "g"),
        ('д', "d"),
        ('е', "e"),
        ('ё', "e"),
        ('ж', "zh"),
        ('з', "z"),
        ('и', "i"),
        ('й', "y"),
        ('к', "k"),
        ('л', "l"),
        ('м', "m"),
        ('н', "n"),
        ('о', "o"),
        ('п', "p"),
        ('р', "r"),
        ('с', "s"),
        ('т', "t"),
        ('у', "u"),
        ('ф', "f"),
        ('х', "h"),
        ('ц', "ts"),
        ('ч', "ch"),
        ('ш', "sh"),
        ('щ', "sch"),
        ('ъ', ""),
        ('ы', "y"),
        ('ь', ""),
        ('э', "e"),
        ('ю', "yu"),
        ('я', "ya"),
    ];
    let mut base = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if let Some((_, t)) = CYR.iter().find(|(k, _)| *k == c) {
            base.push_str(t);
        } else if !base.ends_with('_') {
            base.push('_');
        }
    }
    let mut base: String = base.trim_matches('_').chars().take(32).collect();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("{prefix}_{base}").trim_end_matches('_').to_string();
    }
    let mut key = base.clone();
    let mut n = 2;
    while taken.contains(&key.as_str()) {
        key = format!("{base}_{n}");
        n += 1;
    }
    key
}

impl JourneyMap {
    /// Applies an edit; the map is unchanged when the result would be invalid. Returns a one-line summary.
    pub fn apply(&mut self, edit: &Edit) -> Result<String, MapError> {
        let mut next = self.clone();
        let summary = next.apply_unchecked(edit)?;
        next.validate()?;
        *self = next;
        Ok(summary)
    }

    fn stage_at(&self, key: &str) -> Result<usize, MapError> {
        self.stage_index(key).ok_or_else(|| missing("stage", "stage", key))
    }

    fn lane_at(&self, key: &str) -> Result<usize, MapError> {
        self.lane_index(key).ok_or_else(|| missing("lane", "lane", key))
    }

    fn apply_unchecked(&mut self, edit: &Edit) -> Result<String, MapError> {
        Ok(match edit {
            Edit::SetTitle { title } => {
                self.title = title.trim().to_string();
                format!("title: {}", self.title)
            }
            Edit::SetDescription { description } => {
                self.description = description.trim().to_string();
                "description".into()
            }
            Edit::SetCell { lane, stage, text } => {
                let (l, _) = (self.lane_at(lane)?, self.stage_at(stage)?);
                let lane_ref = &mut self.lanes[l];
                if lane_ref.kind.is_data() || lane_ref.kind == LaneKind::Emotions {
                    return Err(MapError::one("lane", format!("'{lane}' is not a written lane")));
                }
                let text = text.trim();
                if text.is_empty() {
                    lane_ref.cells.remove(stage);
                } else {
                    lane_ref.cells.insert(stage.clone(), text.to_string());
                }
                format!("{} × {stage}", lane_ref.title)
            }
            Edit::SetScore { lane, stage, score } => {
                let (l, _) = (self.lane_at(lane)?, self.stage_at(stage)?);
                let lane_ref = &mut self.lanes[l];
                if lane_ref.kind != LaneKind::Emotions {
                    return Err(MapError::one("lane", format!("'{lane}' is not an emotions lane")));
                }
                match score {
                    Some(s) => lane_ref.scores.insert(stage.clone(), *s),
                    None => lane_ref.scores.remove(stage),
                };
                format!("{} × {stage}", lane_ref.title)
            }
            Edit::AddStage { name, event, after } => {
                let at = match after {
                    Some(a) => self.stage_at(a)? + 1,
                    None => 0,
                };
                let taken: Vec<&str> = self.stages.iter().map(|s| s.key.as_str()).collect();
                let key = key_from(name, "stage", &taken);
                let event = if event.is_empty() { vec!["*".to_string()] } else { event.clone() };
                self.stages.insert(at, MapStage { key, name: name.trim().into(), event, nth: None, within: None });
                format!("+ stage {}", name.trim())
            }
            Edit::RenameStage { stage, name } => {
                let i = self.stage_at(stage)?;
                self.stages[i].name = name.trim().into();
                format!("stage {stage} → {}", name.trim())
            }
            Edit::SetStageRule { stage, event } => {
                let i = self.stage_at(stage)?;
                self.stages[i].event = event.iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
                format!("rule of {stage}")
            }
            Edit::MoveStage { stage, to } => {
                let i = self.stage_at(stage)?;
                let s = self.stages.remove(i);
                let to = (*to).min(self.stages.len());
                self.stages.insert(to, s);
                format!("stage {stage} → #{}", to + 1)
            }
            Edit::RemoveStage { stage } => {
                let i = self.stage_at(stage)?;
                self.stages.remove(i);
                for l in &mut self.lanes {
                    l.cells.remove(stage);
                    l.scores.remove(stage);
                }
                format!("− stage {stage}")
            }
            Edit::AddLane { kind, title, after } => {
                let at = match after {
                    Some(a) => self.lane_at(a)? + 1,
                    None => self.lanes.len(),
                };
                let taken: Vec<&str> = self.lanes.iter().map(|l| l.key.as_str()).collect();
                let key = key_from(kind.as_str(), "lane", &taken);
                let title = title.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
                let title = title.unwrap_or_else(|| kind.title(&self.lang).to_string());
                self.lanes.insert(
                    at,
                    Lane {
                        key,
                        kind: *kind,
                        title: title.clone(),
                        cells: Default::default(),
                        scores: Default::default(),
                    },
                );
                format!("+ lane {title}")
            }
            Edit::RenameLane { lane, title } => {
                let i = self.lane_at(lane)?;
                self.lanes[i].title = title.trim().into();
                format!("lane {lane} → {}", title.trim())
            }
            Edit::MoveLane { lane, to } => {
                let i = self.lane_at(lane)?;
                let l = self.lanes.remove(i);
                let to = (*to).min(self.lanes.len());
                self.lanes.insert(to, l);
                format!("lane {lane} → #{}", to + 1)
            }
            Edit::RemoveLane { lane } => {
                let i = self.lane_at(lane)?;
                self.lanes.remove(i);
                format!("− lane {lane}")
            }
            Edit::SetProblems { problems } => {
                self.problems = problems.iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
                "problem events".into()
            }
            Edit::SetSegment { segment } => {
                self.segment = segment.clone();
                "segment".into()
            }
            Edit::SetPeriod { period } => {
                let clean =
                    |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
                self.period = Period { since: clean(&period.since), until: clean(&period.until) };
                "period".into()
            }
            Edit::SetPersonas { personas } => {
                for (i, p) in personas.iter().enumerate() {
                    check_key(p).map_err(|e| MapError::one(format!("personas[{i}]"), e))?;
                }
                self.personas = personas.clone();
                "personas".into()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_names_in_either_alphabet() {
        assert_eq!(key_from("Оформление заказа", "stage", &[]), "oformlenie_zakaza");
        assert_eq!(key_from("Check-out!", "stage", &["check_out"]), "check_out_2");
        assert_eq!(key_from("1st touch", "stage", &[]), "stage_1st_touch");
        assert_eq!(key_from("…", "lane", &[]), "lane");
    }
}
