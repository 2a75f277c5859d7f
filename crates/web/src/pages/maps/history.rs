//! A map's history and the comparison of two versions (changed cells marked) or two periods (data lanes side
//! by side).

use super::*;
use crate::error::WebError;
use crate::{Member, Viewer};

// ---- history and comparison ---------------------------------------------------------------------------------

pub(crate) async fn history(
    State(st): State<Arc<WebState>>,
    _headers: HeaderMap,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Response {
    let Member { s, f: _q, .. } = m;
    let l = s.lang;
    let info = match st.meta.map(&s.project, id) {
        Ok(Some(m)) => m,
        Ok(None) => return WebError::NotFound(s.lang).into_response(),
        Err(e) => return internal(&e),
    };
    let list = match st.meta.map_history(&s.project, id) {
        Ok(h) => h,
        Err(e) => return internal(&e),
    };
    let p = enc(&s.project);
    let rows: String = list
        .iter()
        .map(|v| {
            let cmp = if v.version > 1 {
                format!("<a href=\"/maps/{id}/compare?project={p}&amp;a={}&amp;b={}\">{}</a>", v.version - 1, v.version, l.t("what_changed"))
            } else {
                String::new()
            };
            format!(
                "<tr><td class=\"num\"><a href=\"/maps/{id}?project={p}&amp;version={ver}\">{ver}</a></td><td>{time}</td><td>{author}</td><td>{summary}</td><td>{cmp}</td></tr>",
                ver = v.version,
                time = l.date(&tropa_core::time::format_ts(v.created_at)),
                author = esc(&v.author),
                summary = esc(&match serde_json::from_str::<Vec<Change>>(&v.summary) {
                    Ok(changes) => changes.iter().map(|c| change_text(l, c)).collect::<Vec<_>>().join("; "),
                    Err(_) => v.summary.clone(),
                }),
            )
        })
        .collect();
    let main = format!(
        "<h1>{}: {}</h1><p><a href=\"/maps/{id}?project={p}\">← {}</a></p><table><thead><tr><th class=\"num\">{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th></th></tr></thead><tbody>{rows}</tbody></table>",
        l.t("history"),
        esc(&info.title),
        l.t("back_to_map"),
        l.t("version"),
        l.t("time"),
        l.t("author"),
        l.t("change"),
    );
    Html(shell(&s, "maps", l.t("history"), &main)).into_response()
}

pub(super) fn change_text(l: Lang, c: &Change) -> String {
    let show = |s: &str| if s.is_empty() { "∅".to_string() } else { format!("«{s}»") };
    match c {
        Change::Title { before, after } => format!("{}: {} → {}", l.t("map_title"), show(before), show(after)),
        Change::StageAdded { name, .. } => format!("+ {} {}", l.t("stage"), show(name)),
        Change::StageRemoved { name, .. } => format!("− {} {}", l.t("stage"), show(name)),
        Change::StageRenamed { before, after, .. } => format!("{}: {} → {}", l.t("stage"), show(before), show(after)),
        Change::StageRule { stage, after, .. } => format!("{} {stage}: {}", l.t("stage_rule"), after.join(", ")),
        Change::StagesReordered { after, .. } => format!("{}: {}", l.t("stage_order"), after.join(" → ")),
        Change::LaneAdded { title, .. } => format!("+ {} {}", l.t("lane"), show(title)),
        Change::LaneRemoved { title, .. } => format!("− {} {}", l.t("lane"), show(title)),
        Change::LaneRenamed { before, after, .. } => format!("{}: {} → {}", l.t("lane"), show(before), show(after)),
        Change::LanesReordered { after, .. } => format!("{}: {}", l.t("lane_order"), after.join(" → ")),
        Change::Cell { lane, stage, before, after } => format!("{lane} × {stage}: {} → {}", show(before), show(after)),
        Change::Score { lane, stage, before, after } => format!(
            "{lane} × {stage}: {} → {}",
            before.map(|v| format!("{v:+}")).unwrap_or("∅".into()),
            after.map(|v| format!("{v:+}")).unwrap_or("∅".into())
        ),
        Change::Settings { what } => format!("{}: {what}", l.t("settings")),
    }
}

/// `a..b` as a period (`YYYY-MM-DD..YYYY-MM-DD`, either side may be empty).
pub(super) fn period_arg(text: &str) -> Option<tropa_core::cjm::Period> {
    let (a, b) = text.split_once("..")?;
    let opt = |x: &str| Some(x.trim().to_string()).filter(|x| !x.is_empty());
    Some(tropa_core::cjm::Period { since: opt(a), until: opt(b) })
}

pub(crate) async fn compare(
    State(st): State<Arc<WebState>>,
    _headers: HeaderMap,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Response {
    let Member { s, f: q, .. } = m;
    let l = s.lang;
    let p = enc(&s.project);
    let (pa, pb) = (param(&q, "pa"), param(&q, "pb"));
    let periods = !pa.is_empty() || !pb.is_empty();
    let (left, right, head, changes) = if periods {
        let (Some(a), Some(b)) = (period_arg(&pa), period_arg(&pb)) else {
            return bad_request(&s, l.t("period_syntax"));
        };
        let (base, _) = match load(&st, &s, id, None) {
            Ok(m) => m,
            Err(r) => return r.into_response(),
        };
        let (mut ma, mut mb) = (base.clone(), base);
        ma.period = a;
        mb.period = b;
        for m in [&ma, &mb] {
            if let Err(e) = m.period_ms() {
                return bad_request(&s, &e.to_string());
            }
        }
        let da = match map_data(&st, &s.project, &ma, None).await {
            Ok(d) => d,
            Err(r) => return r,
        };
        let db = match map_data(&st, &s.project, &mb, None).await {
            Ok(d) => d,
            Err(r) => return r,
        };
        // the right side's trends compare with the left side
        let db = db.map(|mut d| {
            d.previous = da.as_ref().map(|x| x.current.clone());
            d
        });
        let mut only_data = ma.clone();
        only_data.lanes.retain(|x| x.kind.is_data());
        let mut only_data_b = mb.clone();
        only_data_b.lanes.retain(|x| x.kind.is_data());
        let g1 = grid(&s, &Grid { map: &only_data, data: da.as_ref(), editable: false, changed: vec![], id }, 0);
        let g2 = grid(&s, &Grid { map: &only_data_b, data: db.as_ref(), editable: false, changed: vec![], id }, 0);
        (g1, g2, (pa.clone(), pb.clone()), String::new())
    } else {
        let a = param(&q, "a").parse::<i64>().ok();
        let b = param(&q, "b").parse::<i64>().ok();
        let (ma, va) = match load(&st, &s, id, a) {
            Ok(m) => m,
            Err(r) => return r.into_response(),
        };
        let (mb, vb) = match load(&st, &s, id, b) {
            Ok(m) => m,
            Err(r) => return r.into_response(),
        };
        let changes = diff(&ma, &mb);
        let cells: Vec<(String, String)> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Cell { lane, stage, .. } | Change::Score { lane, stage, .. } => Some(cell_key(lane, stage)),
                _ => None,
            })
            .collect();
        let data = match map_data(&st, &s.project, &mb, None).await {
            Ok(d) => d,
            Err(r) => return r,
        };
        let g1 = grid(&s, &Grid { map: &ma, data: data.as_ref(), editable: false, changed: cells.clone(), id }, va);
        let g2 = grid(&s, &Grid { map: &mb, data: data.as_ref(), editable: false, changed: cells, id }, vb);
        let list: String = if changes.is_empty() {
            format!("<p class=\"muted\">{}</p>", l.t("no_changes"))
        } else {
            format!(
                "<ul class=\"changes\">{}</ul>",
                changes.iter().map(|c| format!("<li>{}</li>", esc(&change_text(l, c)))).collect::<String>()
            )
        };
        (g1, g2, (format!("{} {va}", l.t("version")), format!("{} {vb}", l.t("version"))), list)
    };
    let main = format!(
        "<h1>{cmp}</h1><p><a href=\"/maps/{id}?project={p}\">← {back}</a></p>\
         <form method=\"get\" action=\"/maps/{id}/compare\" class=\"search\"><input type=\"hidden\" name=\"project\" value=\"{proj}\">\
         <label for=\"a\">{versions}</label><input id=\"a\" name=\"a\" size=\"4\" value=\"{a}\"> ↔ <input id=\"b\" name=\"b\" size=\"4\" value=\"{b}\"> \
         <button type=\"submit\">{show}</button></form>\
         <form method=\"get\" action=\"/maps/{id}/compare\" class=\"search\"><input type=\"hidden\" name=\"project\" value=\"{proj}\">\
         <label for=\"pa\">{periods_l}</label><input id=\"pa\" name=\"pa\" placeholder=\"2026-03-01..2026-06-01\" value=\"{pa}\"> ↔ \
         <input id=\"pb\" name=\"pb\" placeholder=\"2026-06-01..2026-09-01\" value=\"{pb}\"> <button type=\"submit\">{show}</button></form>{changes}\
         <div class=\"compare\"><section><h2>{h1}</h2>{left}</section><section><h2>{h2}</h2>{right}</section></div>",
        cmp = l.t("compare"),
        back = l.t("back_to_map"),
        proj = esc(&s.project),
        versions = l.t("versions"),
        a = esc(&param(&q, "a")),
        b = esc(&param(&q, "b")),
        show = l.t("run"),
        periods_l = l.t("periods"),
        pa = esc(&pa),
        pb = esc(&pb),
        h1 = esc(&head.0),
        h2 = esc(&head.1),
    );
    Html(shell(&s, "maps", l.t("compare"), &main)).into_response()
}
