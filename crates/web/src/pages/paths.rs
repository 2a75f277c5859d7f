//! The paths page: the Sankey diagram of the paths after a start event (or before an end event), the top paths
//! with their share and conversion, from a GET form (start, end, depth, repeats collapsed, session gap,
//! conversion event, dates). Problems are shown next to their field.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use tropa_app::request::{Filters, NamedEvents, PathsRequest, Problems};
use tropa_core::analysis::paths::PathsReport;
use tropa_engine::report;
use tropa_render::{Sankey, SankeyLink, SankeyNode};

use crate::access::{Member, Viewer};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::i18n::Words;
use crate::pages::builder::{report_page, Builder};
use crate::pages::export::Exports;
use crate::ui::form::{FieldErrors, FilterFields};
use crate::ui::picker::{self, combobox, Combo};
use crate::WebState;
use tropa_app::dictionary::{Choices, Names};

/// What the form asks (its fields as typed; the first visit starts from a product view towards a purchase).
struct Ask {
    from: String,
    to: String,
    conversion: String,
    session: String,
    depth: String,
    collapse: bool,
    since: String,
    until: String,
    who: FilterFields,
}

impl Ask {
    fn read(q: &HashMap<String, String>) -> Ask {
        let field = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        // the page opened without its form's fields (a chart download, a dashboard's period do not count)
        let first_visit = q.keys().all(|k| ["project", "download", "format", "since", "until"].contains(&k.as_str()));
        Ask {
            from: if first_visit { "view_item".to_string() } else { field("from") },
            to: field("to"),
            conversion: if first_visit { "purchase".into() } else { field("conversion") },
            session: field("session"),
            depth: Some(field("depth")).filter(|d| !d.is_empty()).unwrap_or_else(|| "4".into()),
            collapse: first_visit || q.get("collapse").is_some_and(|v| v == "on"),
            since: field("since"),
            until: field("until"),
            who: FilterFields::read(q),
        }
    }

    /// The query API's request for the form (the 20 most common paths).
    fn request(&self, l: Lang, problems: &mut Problems) -> PathsRequest {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
        let depth = match self.depth.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.0.push(("depth".into(), format!("'{}' {}", self.depth, l.t("not_whole_number"))));
                None
            }
        };
        let mut request = PathsRequest {
            from: opt(&self.from),
            to: opt(&self.to),
            depth,
            collapse: self.collapse,
            session: opt(&self.session),
            top: Some(20),
            conversion: opt(&self.conversion),
            filters: Filters { since: opt(&self.since), until: opt(&self.until), ..Filters::default() },
        };
        self.who.apply(&mut request.filters);
        request
    }
}

pub(crate) async fn page(State(st): State<Arc<WebState>>, m: Member<Viewer>) -> Result<Response, WebError> {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let ask = Ask::read(&q);
    let project = s.project.clone();
    let names = Names::of(&st.meta, &s.project).map_err(|e| WebError::internal(&e))?;
    let builder = Builder {
        kind: "paths",
        translate: |p: &mut Problems| {
            let request = ask.request(l, p);
            (request.spec(p), request.filters.clone(), NamedEvents::events(&request))
        },
        run: report::paths,
        render: |r: &_, ex: &mut Exports| render(l, &names, r, ex),
        form: |e: &FieldErrors, stages: &[(String, String)], c: &Choices| form(l, &project, &ask, e, (stages, c)),
        report_field: "paths",
        lines_of: "",
        arrange: |_, _| (),
    };
    report_page(&st, &s, &q, builder).await
}

/// The builder: start or end event, depth, repeats collapsed, session gap, conversion event, dates and the
/// customer filters.
fn form(l: Lang, project: &str, a: &Ask, e: &FieldErrors, (stages, c): (&[(String, String)], &Choices)) -> Markup {
    let _ = c;
    let depths: Vec<String> = (2..=8).map(|d| d.to_string()).collect();
    let depth_opts: Vec<(&str, &str)> = depths.iter().map(|d| (d.as_str(), d.as_str())).collect();
    html! {
        form.builder method="get" action="/paths" {
            input type="hidden" name="project" value=(project);
            div {
                (combobox(&Combo { id: "from", name: "from", label: l.t("paths_from"), value: &a.from, source: picker::EVENTS, placeholder: "view_item", role: "" }, Some(e)))
                (combobox(&Combo { id: "to", name: "to", label: l.t("paths_to"), value: &a.to, source: picker::EVENTS, placeholder: "purchase", role: "" }, Some(e)))
                p.muted { (l.t("paths_hint")) }
                (e.at("paths"))
            }
            div {
                (e.select("depth", l.t("depth"), &a.depth, &depth_opts))
                label { input type="checkbox" name="collapse" checked[a.collapse]; " " (l.t("collapse")) }
                (e.input("session", l.t("session_gap"), &a.session, "text", "30m"))
                (combobox(&Combo { id: "conversion", name: "conversion", label: l.t("conversion_event"), value: &a.conversion, source: picker::EVENTS, placeholder: "purchase", role: "" }, Some(e)))
            }
            div {
                (e.input("since", l.t("since"), &a.since, "date", ""))
                (e.input("until", l.t("until"), &a.until, "date", ""))
                button type="submit" { (l.t("run")) }
            }
            (a.who.html(l, e, stages))
        }
    }
}

/// How an event of a path is named: the start and end of the journey in words.
fn step_name(l: Lang, names: &Names, event: &str) -> String {
    match event {
        "$end" => l.t("path_end").to_string(),
        "$start" => l.t("path_start").to_string(),
        e => names.event(e, l).to_string(),
    }
}

/// The report: the Sankey diagram, the totals and the top paths with their share (and conversion).
fn render(l: Lang, names: &Names, r: &PathsReport, ex: &mut Exports) -> Markup {
    let loc = l.locale();
    let min_depth = r.nodes.iter().map(|n| n.depth).min().unwrap_or(0);
    let id = |depth: usize, event: &str| format!("{depth}:{event}");
    let chart = Sankey {
        title: l.t("paths_chart").into(),
        nodes: r
            .nodes
            .iter()
            .map(|n| SankeyNode {
                id: id(n.depth, &n.event),
                column: n.depth - min_depth,
                label: step_name(l, names, &n.event),
                value: n.customers,
            })
            .collect(),
        links: r
            .links
            .iter()
            .map(|k| SankeyLink {
                from: id(k.from_depth, &k.from),
                to: id(k.from_depth + 1, &k.to),
                value: k.customers,
            })
            .collect(),
    };
    html! {
        (ex.chart("paths", &chart))
        p.muted {
            (l.t("customers")) ": " (loc.int(r.total)) " · " (l.t("distinct_paths")) ": " (loc.int(r.distinct_paths))
        }
        (paths_table(l, names, r))
    }
}

/// The top paths: the steps, customers, share, and conversion when a conversion event was given.
fn paths_table(l: Lang, names: &Names, r: &PathsReport) -> Markup {
    let loc = l.locale();
    html! {
        table {
            thead {
                tr {
                    th { "#" }
                    th { (l.t("path")) }
                    th.num { (l.t("customers")) }
                    th.num { (l.t("share")) }
                    @if r.converted.is_some() { th.num { (l.t("conversion")) } }
                }
            }
            tbody {
                @for (i, p) in r.paths.iter().enumerate() {
                    tr {
                        td { (i + 1) }
                        td { (p.events.iter().map(|e| step_name(l, names, e)).collect::<Vec<_>>().join(" → ")) }
                        td.num { (loc.int(p.customers)) }
                        td.num { (loc.percent(p.share)) }
                        @if let Some(c) = p.conversion { td.num { (loc.percent(c)) } }
                    }
                }
            }
        }
    }
}
