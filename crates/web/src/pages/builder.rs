//! What the builder pages (funnels, paths, retention) share: the page around a form and its result, and the one
//! report runner — the project's engine, the filters' stage and lifecycle tests, the report off the async threads.

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use tropa_core::analysis::scope::{CustomerTest, ScopeSpec};
use tropa_engine::report::StateFilter;
use tropa_engine::{Engine, EngineError};

use crate::error::WebError;
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

/// The engine of a project the signed-in user asked for by name (404 when there is no such project).
pub(crate) fn project_engine(st: &WebState, s: &Session, project: &str) -> Result<Arc<dyn Engine>, WebError> {
    match st.meta.project(project) {
        Ok(Some(_)) => st.projects.engine(project).map_err(|e| WebError::internal(&e)),
        Ok(None) => Err(WebError::NotFound(s.lang)),
        Err(e) => Err(WebError::internal(&e)),
    }
}

/// A builder page's report: the project's engine, the filters' stage/lifecycle tests and `run`, off the async
/// threads. `Ok(Err(message))` is a problem the page shows beside its form; `Err` a response to return as is.
pub(crate) async fn analysis<Spec: Send + 'static, Out: Send + 'static>(
    st: &WebState,
    s: &Session,
    (spec, scope, mut filter): (Spec, ScopeSpec, StateFilter),
    run: Run<Spec, Out>,
) -> Result<Result<Out, String>, WebError> {
    let engine = project_engine(st, s, &s.project)?;
    if !filter.stages.is_empty() && filter.definition.is_none() {
        filter.definition = Some(crate::pages::stages::parsed_definition(st, &s.project)?);
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
