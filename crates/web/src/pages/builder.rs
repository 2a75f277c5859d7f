//! What the builder pages (funnels, paths, retention) share: the page around a form and its result, and the one
//! report runner — the project's engine, the filters' stage and lifecycle tests, the report off the async threads.

use std::collections::HashMap;

use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_engine::report::StateFilter;
use tropa_engine::{Engine, EngineError};

use crate::error::WebError;
use crate::i18n::Words;
use crate::pages::export::Exports;
use crate::pages::saved;
use crate::session::Session;
use crate::ui::layout::shell;
use crate::WebState;

/// A report's function: its spec, the filters' scope and stage/lifecycle tests → the report.
pub(crate) type Run<Spec, Out> =
    fn(&dyn Engine, Spec, ScopeSpec, Vec<Box<dyn CustomerTest>>) -> Result<Out, EngineError>;

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
