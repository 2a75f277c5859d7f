//! The feedback page (`/feedback`): the voice of the customer — NPS, CSAT and CES with their 95 % intervals, by
//! the journey stage customers had reached when they answered (response rate, share of negative answers, small
//! samples marked), promoters and detractors over time, the score distribution per stage, and the answers,
//! reviews and tickets themselves (score, stage at the time, channel), each one click from the customer's
//! journey. Filters: stage, scale, negative only, channel, period, and whose answers: a persona (its segment),
//! a condition on traits and an event done (the condition builder). `download=feedback&format=csv` downloads the
//! listed rows. Sentiment and themes of the texts join through `tropa_app::feedback::rows`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_app::feedback::{FeedbackQuery, FeedbackRow};
use tropa_core::analysis::feedback::score::{Score, ScoreKind};
use tropa_core::analysis::feedback::FeedbackReport;
use tropa_core::analysis::period::Period;

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::project::{definition, engine, local};
use crate::ui::chart;
use crate::ui::layout::shell;
use crate::url::enc;
use crate::WebState;

pub(crate) mod themes;

fn score_text(l: Lang, s: &Score) -> String {
    let comma = |t: String| l.decimal(t);
    let Some(v) = s.value else { return "—".into() };
    let iv = match (s.low, s.high) {
        (Some(a), Some(b)) => comma(format!(" [{a:.1}; {b:.1}]")),
        _ => String::new(),
    };
    let v = match s.kind {
        ScoreKind::Ces => comma(format!("{v:.2}")),
        ScoreKind::Nps => format!("{v:+.0}"),
        ScoreKind::Csat => format!("{v:.0} %"),
    };
    format!("{v}{iv}, n = {}", tropa_core::cjm::markdown::int(s.n, l.code()))
}

fn cell(l: Lang, s: &Score) -> Markup {
    html! {
        (score_text(l, s))
        @if s.small_sample && s.n > 0 { " " span.badge title=(l.t("fb_small_hint")) { (l.t("fb_small")) } }
    }
}

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let s = &m.s;
    let l = s.lang;
    let calendar = st.settings_of(&s.project)?.calendar;
    let field = |k: &str| m.field(k).trim().to_string();
    let mut errors: Vec<String> = Vec::new();
    let mut time = |k: &str| -> Option<i64> {
        let v = field(k);
        if v.is_empty() {
            return None;
        }
        match calendar.parse_time(&v) {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(format!(
                    "{}: {}",
                    l.t(if k == "since" { "fb_since" } else { "fb_until" }),
                    l.t("fb_bad_date")
                ));
                None
            }
        }
    };
    let (since, until) = (time("since"), time("until"));
    // the texts summed up are the latest 2,000; the table lists the latest 200 of them
    let mut q = FeedbackQuery { since, until, limit: 2000, ..FeedbackQuery::default() };
    q.period = Period::parse(&field("period")).unwrap_or(Period::Week);
    q.kind = ScoreKind::parse(&field("kind"));
    q.stage = Some(field("stage")).filter(|v| !v.is_empty());
    q.channel = Some(field("channel")).filter(|v| !v.is_empty());
    q.negative_only = field("negative") == "1";
    let personas: Vec<(String, String)> = st
        .meta
        .personas(&s.project)
        .map_err(|e| WebError::internal(&e))?
        .into_iter()
        .map(|(k, doc)| {
            let name = tropa_core::cjm::persona::Persona::from_json(&doc).map_or_else(|_| k.clone(), |p| p.name);
            (k, name)
        })
        .collect();
    let persona = field("persona");
    if !persona.is_empty() {
        match tropa_app::feedback::persona_segment(&st.meta, &s.project, &persona) {
            Ok(seg) => q.segment = seg,
            Err(_) => errors.push(format!("{}: {}", l.t("fbt_persona"), l.t("fbt_no_persona"))),
        }
    }
    for (k, list) in [("traits", &mut q.segment.traits), ("did", &mut q.segment.did)] {
        let v = field(k);
        if !v.is_empty() {
            list.push(v);
        }
    }
    if let Err(tropa_app::AppError::Invalid { field: f, reason }) = tropa_app::feedback::scope(&q.segment) {
        let name = l.t(if f == "did" { "fbt_did" } else { "fbt_traits" });
        errors.push(format!("{name}: {}", reason.words(l)));
        q.segment = tropa_core::cjm::Segment::default();
    }
    let def = definition(&st, &s.project)?;
    if let Some(k) = &q.stage {
        if k != "none" && !def.stages.iter().any(|x| &x.key == k) {
            errors.push(format!("{}: {}", l.t("fb_stage"), l.t("fb_bad_stage")));
            q.stage = None;
        }
    }
    let eng = engine(&st, s, &s.project)?;
    let (meta, project, q2) = (st.meta.clone(), s.project.clone(), q.clone());
    let (report, rows, list) = tokio::task::spawn_blocking(move || {
        let r = tropa_app::feedback::scores(&meta, &*eng, &project, &q2)?;
        let rows = tropa_app::feedback::list(&meta, &*eng, &project, &q2)?;
        let list = tropa_app::feedback::themes::list(&meta, &project)?;
        Ok::<_, tropa_app::AppError>((r, rows, list))
    })
    .await
    .map_err(|e| WebError::internal(&e))?
    .map_err(|e| WebError::internal(&e))?;
    if field("download") == "feedback" {
        return Ok(download(&rows));
    }
    let insights = tropa_app::feedback::insights(&rows, &list);
    let names: Vec<(String, String)> = def.stages.iter().map(|x| (x.key.clone(), local(l, &x.name))).collect();
    let stage_name = |k: &Option<String>| match k {
        Some(k) => names.iter().find(|(x, _)| x == k).map_or(k.clone(), |(_, n)| n.clone()),
        None => l.t("fb_before_stages").to_string(),
    };
    let mut here = format!("/feedback?project={}&", enc(&s.project));
    for k in ["since", "until", "period", "kind", "stage", "channel", "negative", "persona", "traits", "did"] {
        let v = field(k);
        if !v.is_empty() {
            here.push_str(&format!("{k}={}&", enc(&v)));
        }
    }
    // every chart with its downloads (SVG, PNG, CSV); a download answers with that file
    let mut ex = crate::pages::export::Exports::new("feedback", l, &m.f);
    let trend_fig = ex.chart("trend", &trend_chart(l, &report));
    let dist_figs: Vec<Markup> = [ScoreKind::Nps, ScoreKind::Csat, ScoreKind::Ces]
        .into_iter()
        .filter_map(|k| distribution_chart(l, &report, k).map(|c| ex.chart(&format!("dist-{}", k.as_str()), &c)))
        .collect();
    let sentiment_fig =
        (!insights.by_stage.is_empty()).then(|| ex.chart("sentiment", &sentiment_chart(l, &insights, &stage_name)));
    let themes_fig = (!insights.themes.is_empty()).then(|| ex.chart("themes", &themes_chart(l, &insights)));
    if let Some(file) = ex.into_file() {
        return Ok(file);
    }
    let charts = chart_choices(l, &report, &insights);
    let main = html! {
        h1 { (l.t("feedback_page")) }
        p.muted { (l.t("fb_intro")) }
        @for e in &errors { p.err role="alert" { (e) } }
        (filters(l, &s.project, &names, &personas, &field))
        (summary(l, &report))
        (stages_table(l, &report))
        (trend(l, &report, trend_fig))
        (crate::ui::pin::report_charts(&st, s, "feedback", &pinned(&m.f), &charts))
        (distribution(l, &report, dist_figs))
        (text_insights(l, &insights, &stage_name, sentiment_fig, themes_fig))
        p { a href={ "/feedback/themes?project=" (enc(&s.project)) } { (l.t("fbt_link")) } }
        h2 { (l.t("fb_texts")) }
        p.dl { a href={ (here) "download=feedback&format=csv" } download { (l.t("fb_download")) } }
        @if rows.is_empty() { p.muted { (l.t("fb_none")) } } @else {
            table.fb-texts {
                thead { tr {
                    th { (l.t("fb_time")) } th { (l.t("fb_customer")) } th { (l.t("fb_event")) } th { (l.t("fb_score")) }
                    th { (l.t("fb_stage_then")) } th { (l.t("fb_channel")) } th { (l.t("fb_text")) }
                    th { (l.t("fb_sentiment")) } th { (l.t("fb_themes")) }
                } }
                tbody { @for r in rows.iter().take(200) {
                    @let i = &r.item;
                    tr.negative[i.negative] {
                        td { (l.date(&i.time)) }
                        td { a href={ "/customers?project=" (enc(&s.project)) "&id=" (enc(&i.customer)) } { (i.customer) } }
                        td { (i.event) @if !i.survey.is_empty() { " · " (i.survey) } }
                        td { @match (i.kind, i.score) { (Some(k), Some(v)) => { (k.as_str().to_uppercase()) " " (v) }, _ => "—" } }
                        td { (stage_name(&i.stage)) }
                        td { (i.channel) }
                        td { (i.text) }
                        td { @if let Some(x) = r.sentiment { span class={ "sent sent-" (x.label.as_str()) } { (label_word(l, x.label)) " " (signed(l, x.score)) } } }
                        td { (r.themes.iter().map(|k| theme_name(l, &list, k)).collect::<Vec<_>>().join(", ")) }
                    }
                } }
            }
        }
    };
    Ok(Html(shell(s, "feedback_page", l.t("feedback_page"), main).into_string()).into_response())
}

/// The page's parameters a pinned chart keeps (the dashboard gives the period).
fn pinned(q: &std::collections::HashMap<String, String>) -> std::collections::HashMap<String, String> {
    ["period", "kind", "stage", "channel", "negative", "persona", "traits", "did", "chart"]
        .into_iter()
        .filter_map(|k| q.get(k).filter(|v| !v.trim().is_empty()).map(|v| (k.to_string(), v.clone())))
        .collect()
}

fn filters(
    l: Lang,
    project: &str,
    stages: &[(String, String)],
    personas: &[(String, String)],
    field: &dyn Fn(&str) -> String,
) -> Markup {
    let sel = |k: &str, v: &str| field(k) == v;
    html! {
        form.filters method="get" action="/feedback" {
            input type="hidden" name="project" value=(project);
            label { (l.t("fb_stage")) " "
                select name="stage" {
                    option value="" { (l.t("fb_all")) }
                    @for (k, n) in stages { option value=(k) selected[sel("stage", k)] { (n) } }
                    option value="none" selected[sel("stage", "none")] { (l.t("fb_before_stages")) }
                }
            }
            label { (l.t("fb_scale")) " "
                select name="kind" {
                    option value="" { (l.t("fb_all")) }
                    @for k in ["nps", "csat", "ces"] { option value=(k) selected[sel("kind", k)] { (k.to_uppercase()) } }
                }
            }
            label { input type="checkbox" name="negative" value="1" checked[sel("negative", "1")]; " " (l.t("fb_negative_only")) }
            label { (l.t("fb_channel")) " " input type="text" name="channel" value=(field("channel")) size="12"; }
            label { (l.t("fbt_persona")) " "
                select name="persona" {
                    option value="" { (l.t("fb_all")) }
                    @for (k, n) in personas { option value=(k) selected[sel("persona", k)] { (n) } }
                }
            }
            label { (l.t("fbt_traits")) " " input type="text" name="traits" value=(field("traits")) size="16" placeholder="city = Казань"; }
            label { (l.t("fbt_did")) " " input type="text" name="did" value=(field("did")) size="12" placeholder="purchase"; }
            label { (l.t("fb_since")) " " input type="date" name="since" value=(field("since")); }
            label { (l.t("fb_until")) " " input type="date" name="until" value=(field("until")); }
            label { (l.t("fb_period")) " "
                select name="period" {
                    @for (k, w) in [("day", "fb_day"), ("week", "fb_week"), ("month", "fb_month")] {
                        option value=(k) selected[sel("period", k) || (k == "week" && field("period").is_empty())] { (l.t(w)) }
                    }
                }
            }
            button type="submit" { (l.t("fb_apply")) }
        }
    }
}

fn summary(l: Lang, r: &FeedbackReport) -> Markup {
    let o = &r.overall;
    html! {
        div.cards {
            (chart::card(&score_text(l, &o.nps), "NPS", true))
            (chart::card(&score_text(l, &o.csat), "CSAT", true))
            (chart::card(&score_text(l, &o.ces), "CES", true))
            (chart::card(&tropa_core::cjm::markdown::int(r.answers, l.code()), l.t("fb_answers"), false))
        }
        p.muted { (l.t("fb_intervals")) }
    }
}

fn stages_table(l: Lang, r: &FeedbackReport) -> Markup {
    let pct = |x: Option<f64>| x.map_or("—".to_string(), |v| tropa_core::cjm::markdown::percent(v, l.code()));
    let int = |n: u64| tropa_core::cjm::markdown::int(n, l.code());
    html! {
        h2 { (l.t("fb_by_stage")) }
        table.fb-stages {
            thead { tr {
                th { (l.t("fb_stage_then")) } th { (l.t("fb_reached")) } th { (l.t("fb_respondents")) }
                th { (l.t("fb_response_rate")) } th { "NPS" } th { "CSAT" } th { "CES" } th { (l.t("fb_negative")) }
            } }
            tbody {
                @for st in &r.stages {
                    tr {
                        td { (if l == Lang::Ru { &st.names.ru } else { &st.names.en }) }
                        td { (int(st.reached)) } td { (int(st.respondents)) } td { (pct(st.response_rate)) }
                        td { (cell(l, &st.scores.nps)) } td { (cell(l, &st.scores.csat)) } td { (cell(l, &st.scores.ces)) }
                        td { (pct(st.negative_share)) }
                    }
                }
            }
        }
    }
}

/// Promoters and detractors over time: the page's first chart (and a dashboard's tile).
fn trend_chart(l: Lang, r: &FeedbackReport) -> tropa_render::LineChart {
    let share = |s: &Score, k: u64| (s.n > 0).then(|| k as f64 / s.n as f64);
    tropa_render::LineChart {
        title: l.t("fb_trend_title").into(),
        x_labels: r.trend.iter().map(|p| l.date(&p.period)).collect(),
        series: vec![
            tropa_render::Series {
                name: l.t("fb_promoters").into(),
                values: r.trend.iter().map(|p| share(&p.scores.nps, p.scores.nps.positive)).collect(),
            },
            tropa_render::Series {
                name: l.t("fb_detractors").into(),
                values: r.trend.iter().map(|p| share(&p.scores.nps, p.scores.nps.negative)).collect(),
            },
        ],
        format: tropa_render::ValueFormat::Percent,
    }
}

fn trend(l: Lang, r: &FeedbackReport, figure: Markup) -> Markup {
    html! {
        h2 { (l.t("fb_trend")) }
        (figure)
        table.fb-trend {
            thead { tr { th { (l.t("fb_period")) } th { "NPS" } th { "CSAT" } th { "CES" } } }
            tbody { @for p in &r.trend { tr {
                td { (l.date(&p.period)) } td { (cell(l, &p.scores.nps)) } td { (cell(l, &p.scores.csat)) } td { (cell(l, &p.scores.ces)) }
            } } }
        }
    }
}

/// The charts a dashboard can show from this page: (chart id, its words).
fn chart_choices(l: Lang, r: &FeedbackReport, x: &tropa_app::feedback::TextInsights) -> Vec<(String, String)> {
    let mut out = vec![("trend".to_string(), l.t("fb_trend_title").to_string())];
    for k in [ScoreKind::Nps, ScoreKind::Csat, ScoreKind::Ces] {
        if distribution_chart(l, r, k).is_some() {
            out.push((
                format!("dist-{}", k.as_str()),
                format!("{} · {}", l.t("fb_distribution"), k.as_str().to_uppercase()),
            ));
        }
    }
    if !x.by_stage.is_empty() {
        out.push(("sentiment".into(), l.t("fb_sentiment_by_stage").into()));
    }
    if !x.themes.is_empty() {
        out.push(("themes".into(), l.t("fb_themes").into()));
    }
    out
}

fn pick(kind: ScoreKind, s: &tropa_core::analysis::feedback::Scores) -> &Score {
    match kind {
        ScoreKind::Nps => &s.nps,
        ScoreKind::Csat => &s.csat,
        ScoreKind::Ces => &s.ces,
    }
}

/// The score distribution per stage of one scale: each stage's answers by score, as shares of the stage's
/// answers (none without answers on that scale).
fn distribution_chart(l: Lang, r: &FeedbackReport, kind: ScoreKind) -> Option<tropa_render::Heatmap> {
    let stages: Vec<_> = r.stages.iter().filter(|st| pick(kind, &st.scores).n > 0).collect();
    if stages.is_empty() {
        return None;
    }
    let (lo, hi) = kind.range();
    Some(tropa_render::Heatmap {
        title: format!("{} · {}", l.t("fb_distribution"), kind.as_str().to_uppercase()),
        row_labels: stages.iter().map(|st| (if l == Lang::Ru { &st.names.ru } else { &st.names.en }).clone()).collect(),
        row_sizes: stages.iter().map(|st| pick(kind, &st.scores).n).collect(),
        col_labels: (lo..=hi).map(|v| v.to_string()).collect(),
        cells: stages
            .iter()
            .map(|st| {
                let sc = pick(kind, &st.scores);
                sc.distribution.iter().map(|&c| Some(c as f64 / sc.n as f64)).collect()
            })
            .collect(),
    })
}

/// Sentiment by the stage at the time: each stage's texts by negative / neutral / positive.
fn sentiment_chart(
    l: Lang,
    x: &tropa_app::feedback::TextInsights,
    stage_name: &dyn Fn(&Option<String>) -> String,
) -> tropa_render::Heatmap {
    let share = |k: u64, n: u64| Some(if n == 0 { 0.0 } else { k as f64 / n as f64 });
    tropa_render::Heatmap {
        title: l.t("fb_sentiment_by_stage").into(),
        row_labels: x.by_stage.iter().map(|st| stage_name(&st.stage)).collect(),
        row_sizes: x.by_stage.iter().map(|st| st.texts).collect(),
        col_labels: ["fb_head_negative", "fb_head_neutral", "fb_head_positive"].map(|k| l.t(k).to_string()).to_vec(),
        cells: x
            .by_stage
            .iter()
            .map(|st| vec![share(st.negative, st.texts), share(st.neutral, st.texts), share(st.positive, st.texts)])
            .collect(),
    }
}

/// Themes by the texts that mention them; the one with the largest unhappy share drawn in the alert colour.
fn themes_chart(l: Lang, x: &tropa_app::feedback::TextInsights) -> tropa_render::BarChart {
    let unhappy = |t: &tropa_app::feedback::ThemeRow| t.unhappy as f64 / t.texts.max(1) as f64;
    let worst = x.themes.iter().enumerate().max_by(|a, b| unhappy(a.1).total_cmp(&unhappy(b.1))).map(|(i, _)| i);
    tropa_render::BarChart {
        title: l.t("fbt_themes_chart").into(),
        bars: x
            .themes
            .iter()
            .map(|t| ((if l == Lang::Ru { &t.name_ru } else { &t.name_en }).clone(), t.texts as f64))
            .collect(),
        format: tropa_render::ValueFormat::Count,
        highlight: worst,
    }
}

fn distribution(l: Lang, r: &FeedbackReport, figures: Vec<Markup>) -> Markup {
    html! {
        h2 { (l.t("fb_distribution")) }
        @for f in figures { (f) }
        @for (kind, label) in [(ScoreKind::Nps, "NPS 0–10"), (ScoreKind::Csat, "CSAT 1–5"), (ScoreKind::Ces, "CES 1–7")] {
            @let (lo, hi) = kind.range();
            @if r.stages.iter().any(|st| pick(kind, &st.scores).n > 0) {
                table.fb-dist {
                    caption { (label) }
                    thead { tr { th { (l.t("fb_stage_then")) } @for v in lo..=hi { th { (v) } } } }
                    tbody { @for st in r.stages.iter().filter(|st| pick(kind, &st.scores).n > 0) { tr {
                        td { (if l == Lang::Ru { &st.names.ru } else { &st.names.en }) }
                        @for c in &pick(kind, &st.scores).distribution { td { (c) } }
                    } } }
                }
            }
        }
    }
}

fn download(rows: &[FeedbackRow]) -> Response {
    let mut out = vec![["time", "customer", "event", "survey", "kind", "score", "stage", "channel", "text"]
        .map(String::from)
        .to_vec()];
    for r in rows {
        let i = &r.item;
        out.push(vec![
            i.time.clone(),
            i.customer.clone(),
            i.event.clone(),
            i.survey.clone(),
            i.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            i.score.map(|v| v.to_string()).unwrap_or_default(),
            i.stage.clone().unwrap_or_default(),
            i.channel.clone(),
            i.text.clone(),
        ]);
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"feedback.csv\""),
        ],
        crate::pages::export::csv(&out),
    )
        .into_response()
}

fn label_word(l: Lang, x: tropa_text::Label) -> &'static str {
    l.t(match x {
        tropa_text::Label::Negative => "fb_sent_negative",
        tropa_text::Label::Neutral => "fb_sent_neutral",
        tropa_text::Label::Positive => "fb_sent_positive",
    })
}

/// A score in −1…1 with its sign and two decimals in the reader's notation.
fn signed(l: Lang, x: f64) -> String {
    l.decimal(format!("{x:+.2}")).replace('-', "−")
}

fn theme_name(l: Lang, list: &tropa_text::ThemeList, key: &str) -> String {
    match list.themes().iter().find(|t| t.key == key) {
        Some(t) if l.code() == "ru" => t.name_ru.clone(),
        Some(t) => t.name_en.clone(),
        None => key.to_string(),
    }
}

/// What the texts say: sentiment by stage at the time, themes with their unhappy share, the phrases distinctive
/// of unhappy texts and quotes.
fn text_insights(
    l: Lang,
    x: &tropa_app::feedback::TextInsights,
    stage_name: &dyn Fn(&Option<String>) -> String,
    sentiment_fig: Option<Markup>,
    themes_fig: Option<Markup>,
) -> Markup {
    let share = |k: u64, n: u64| if n == 0 { "—".to_string() } else { pct_of(l, k as f64 / n as f64) };
    html! {
        h2 id="texts-say" { (l.t("fb_texts_say")) }
        @if x.texts == 0 { p.muted { (l.t("fb_no_texts")) } } @else {
            p.muted { (l.t("fb_texts_say_intro")) }
            h3 { (l.t("fb_sentiment_by_stage")) }
            @if let Some(f) = sentiment_fig { (f) }
            table.data id="sentiment-by-stage" {
                thead { tr {
                    th { (l.t("fb_stage_then")) } th { (l.t("fb_texts_n")) } th { (l.t("fb_head_negative")) }
                    th { (l.t("fb_head_neutral")) } th { (l.t("fb_head_positive")) } th { (l.t("fb_mean_sentiment")) }
                } }
                tbody { @for st in &x.by_stage { tr {
                    td { (stage_name(&st.stage)) } td.num { (st.texts) }
                    td.num { (share(st.negative, st.texts)) } td.num { (share(st.neutral, st.texts)) }
                    td.num { (share(st.positive, st.texts)) } td.num { (signed(l, st.mean)) }
                } } }
            }
            h3 { (l.t("fb_themes")) }
            @if let Some(f) = themes_fig { (f) }
            table.data id="themes" {
                thead { tr { th { (l.t("fb_theme")) } th { (l.t("fb_texts_n")) } th { (l.t("fb_unhappy_share")) } } }
                tbody { @for t in &x.themes { tr {
                    td { (if l.code() == "ru" { &t.name_ru } else { &t.name_en }) } td.num { (t.texts) } td.num { (share(t.unhappy, t.texts)) }
                } } }
            }
            h3 { (l.t("fb_phrases")) }
            @if x.phrases.is_empty() { p.muted { (l.t("fb_no_unhappy")) } } @else {
                table.data id="phrases" {
                    thead { tr { th { (l.t("fb_phrase")) } th { (l.t("fb_in_unhappy")) } th { (l.t("fb_in_rest")) } th { "z" } } }
                    tbody { @for p in &x.phrases { tr {
                        td { (p.surface) } td.num { (p.group_count) } td.num { (p.rest_count) } td.num { (format!("{:.1}", p.z)) }
                    } } }
                }
                @if !x.quotes.is_empty() {
                    h3 { (l.t("fb_quotes")) }
                    @for q in &x.quotes { blockquote.quote { (q.text) } }
                }
            }
        }
    }
}

fn pct_of(l: Lang, x: f64) -> String {
    let t = format!("{:.0}%", x * 100.0);
    if l.code() == "ru" {
        t.replace('%', "\u{a0}%")
    } else {
        t
    }
}
