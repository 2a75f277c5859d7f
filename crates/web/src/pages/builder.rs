//! What the builder pages (funnels, paths, retention) share: the page around a form and its result, and the one
//! report runner — the project's engine, the filters' stage and lifecycle tests, the report off the async threads.

use std::collections::HashMap;

use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_engine::report::StateFilter;
use tropa_engine::{Engine, EngineError};

use tropa_app::dictionary::Choices;
use tropa_app::request::{unknown_events, unknown_properties, Filters, Outcome, Problems};
use tropa_core::calendar::Calendar;

use crate::error::WebError;
use crate::i18n::{Lang, Words};
use crate::pages::export::Exports;
use crate::pages::saved;
use crate::project::stage_options;
use crate::session::Session;
use crate::ui::form::FieldErrors;
use crate::ui::layout::shell;
use crate::ui::picker;
use crate::WebState;

/// A report's function: its spec, the filters' scope and stage/lifecycle tests → the report.
pub(crate) type Run<Spec, Out> =
    fn(&dyn Engine, Spec, ScopeSpec, Vec<Box<dyn CustomerTest>>) -> Result<Out, EngineError>;

/// How one builder page reads its form and shows its report (the parts that differ between funnels, paths and
/// retention; [`report_page`] does the rest).
pub(crate) struct Builder<Spec, Out, T, R, F>
where
    T: FnOnce(&mut Problems) -> (Option<Spec>, Filters, Vec<(String, String)>),
    R: FnOnce(&Out, &mut Exports) -> Markup,
    F: FnOnce(&FieldErrors, &[(String, String)], &Choices) -> Markup,
{
    /// The page (`funnels`, `paths`, `retention`): its title, its saved reports, its downloads.
    pub kind: &'static str,
    /// The form as the request: its spec, filters and named events (field, text), problems recorded at their
    /// fields.
    pub translate: T,
    /// The report.
    pub run: Run<Spec, Out>,
    /// The report's charts and tables.
    pub render: R,
    /// The form again, with its problems beside their fields, the project's stages for the stage filter and the
    /// pickers' choices from the dictionary.
    pub form: F,
    /// The field a problem of the report itself is shown at; the multi-line field whose problems say their line.
    pub report_field: &'static str,
    pub lines_of: &'static str,
    /// Moves problems between fields before they are shown (the funnel's exclusions to their own box).
    pub arrange: fn(Lang, &mut Vec<(String, String)>),
}

/// A builder page: the form read in the project's time zone (dates without an offset, the report's days),
/// translated by the application layer with every problem at its field (an event the data never had among them,
/// with the name it most likely meant), the report run when there is none, the page (or a chart download)
/// answered.
pub(crate) async fn report_page<Spec, Out, T, R, F>(
    st: &WebState,
    s: &Session,
    q: &HashMap<String, String>,
    b: Builder<Spec, Out, T, R, F>,
) -> Result<Response, WebError>
where
    Spec: Send + 'static,
    Out: Outcome + Send + 'static,
    T: FnOnce(&mut Problems) -> (Option<Spec>, Filters, Vec<(String, String)>),
    R: FnOnce(&Out, &mut Exports) -> Markup,
    F: FnOnce(&FieldErrors, &[(String, String)], &Choices) -> Markup,
{
    let l = s.lang;
    let calendar = st.settings_of(&s.project)?.calendar;
    let mut problems = Problems::new(l).in_calendar(calendar);
    let (spec, filters, events) = (b.translate)(&mut problems);
    let (scope, state_filter) = filters.scope(&mut problems);
    // an event the data never had is a typo until proven otherwise: refused at its field, with a suggestion
    let engine = crate::project::engine(st, s, &s.project)?;
    let dicts = engine.dictionaries();
    for (field, e) in unknown_events(&events, &dicts) {
        problems.0.push((field, e.words(l)));
    }
    // the dictionary: the pickers' choices, and the properties the data has (a mistyped one is refused too)
    let catalog = engine.catalog().map_err(|e| WebError::internal(&e))?;
    let dictionary = tropa_app::dictionary::from_catalog(&st.meta, catalog.clone(), &s.project)
        .map_err(|e| WebError::internal(&e))?;
    let breakdown = q.get("breakdown").map(|b| b.trim()).filter(|b| !b.is_empty());
    for (field, e) in unknown_properties(&events, breakdown.map(|b| ("breakdown", b)), &catalog) {
        problems.0.push((field, e.words(l)));
    }
    let choices = dictionary.choices(l);
    let mut result = html! {};
    let mut ex = Exports::new(b.kind, l, q);
    if let (Some(spec), true) = (spec, problems.0.is_empty()) {
        let asked = (scope.clone(), state_filter.clone());
        match analysis(st, s, (spec, scope, state_filter), b.run).await? {
            Ok(r) if r.is_empty() => result = why_empty(st, s, events, asked, calendar).await?,
            Ok(r) => result = (b.render)(&r, &mut ex),
            Err(e) => problems.0.push((b.report_field.into(), e)),
        }
    }
    (b.arrange)(l, &mut problems.0);
    let e = FieldErrors::new(l, &problems.0, b.lines_of);
    let form = html! {
        (picker::sources(l, &choices))
        ((b.form)(&e, &stage_options(st, &s.project, l), &choices))
    };
    Ok(builder_page(st, s, b.kind, q, form, result, ex))
}

/// A builder page (funnels, paths, retention): the saved reports, the form and the result; or, when a chart
/// download was asked for, that file.
pub(crate) fn builder_page(
    st: &WebState,
    s: &Session,
    kind: &'static str,
    q: &HashMap<String, String>,
    form: Markup,
    result: Markup,
    ex: Exports,
) -> Response {
    if let Some(file) = ex.into_file() {
        return file;
    }
    let l = s.lang;
    let main = html! {
        h1 { (l.t(kind)) }
        (saved::panel(st, s, kind, q))
        (crate::ui::pin::report(st, s, kind, q))
        (form)
        (result)
    };
    Html(shell(s, kind, l.t(kind), main).into_string()).into_response()
}

/// A builder page's report: the project's engine, the filters' stage/lifecycle tests and `run`, off the async
/// threads. `Ok(Err(message))` is a problem the page shows beside its form; `Err` a response to return as is.
pub(crate) async fn analysis<Spec: Send + 'static, Out: Send + 'static>(
    st: &WebState,
    s: &Session,
    (spec, scope, mut filter): (Spec, ScopeSpec, StateFilter),
    run: Run<Spec, Out>,
) -> Result<Result<Out, String>, WebError> {
    let engine = crate::project::engine(st, s, &s.project)?;
    if !filter.stages.is_empty() && filter.definition.is_none() {
        filter.definition = Some(crate::project::definition(st, &s.project)?);
    }
    let done = tokio::task::spawn_blocking(move || {
        let tests = filter.tests(&*engine)?;
        run(&*engine, spec, scope, tests)
    })
    .await;
    match done {
        Ok(r) => Ok(r.map_err(|e| e.to_string())),
        Err(e) => Err(WebError::internal(&e)),
    }
}

/// What an empty report shows instead of empty charts: why it is empty (no events in the period, an event that
/// happened only in other periods, filters that leave nobody, or customers who did not do what was asked).
async fn why_empty(
    st: &WebState,
    s: &Session,
    named: Vec<(String, String)>,
    (scope, filter): (ScopeSpec, StateFilter),
    calendar: Calendar,
) -> Result<Markup, WebError> {
    let engine = crate::project::engine(st, s, &s.project)?;
    let mut filter = filter;
    if !filter.stages.is_empty() && filter.definition.is_none() {
        filter.definition = Some(crate::project::definition(st, &s.project)?);
    }
    let why =
        tokio::task::spawn_blocking(move || tropa_app::request::why_empty(&*engine, &named, &scope, &filter, calendar))
            .await
            .map_err(|e| WebError::internal(&e))?
            .map_err(|e| WebError::internal(&e))?;
    let l = s.lang;
    Ok(html! {
        div.empty role="status" {
            h2 { (l.t("empty_result")) }
            @for w in &why { p { (w.words(l)) } }
        }
    })
}
