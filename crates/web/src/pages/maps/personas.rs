//! The personas page: each persona's card with the size and numbers of its customers; analysts add, update
//! and delete personas.

use super::*;
use crate::{Analyst, Member, Viewer};

// ---- personas -----------------------------------------------------------------------------------------------

pub(crate) async fn personas(State(st): State<Arc<WebState>>, _headers: HeaderMap, m: Member<Viewer>) -> Response {
    let Member { s, f: _q, .. } = m;
    personas_page(&st, &s, None, StatusCode::OK).await
}

pub(super) async fn personas_page(st: &WebState, s: &Session, error: Option<String>, status: StatusCode) -> Response {
    let l = s.lang;
    let list = persona_list(st, &s.project);
    let engine = match st.projects.engine(&s.project) {
        Ok(e) => e,
        Err(e) => return internal(&e),
    };
    let segs: Vec<Segment> = list.iter().map(|p| p.segment.clone()).collect();
    let sizes = tokio::task::spawn_blocking(move || {
        segs.iter()
            .map(|seg| {
                let scope = seg.scope("segment").ok()?;
                // only the customer count is read: days do not matter
                tropa_engine::report::stats(&*engine, Default::default(), scope, vec![]).ok()
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let loc = l.locale();
    let cards: String = list
        .iter()
        .zip(sizes.iter().chain(std::iter::repeat(&None)))
        .map(|(p, size)| {
            let items = |v: &[String]| v.iter().map(|x| format!("<li>{}</li>", esc(x))).collect::<String>();
            let numbers = match size {
                Some(st) => format!(
                    "<div class=\"numbers\"><span>{}: <b>{}</b></span><span>{}: <b>{}</b></span><span>{}: <b>{}</b></span></div>",
                    l.t("customers"),
                    loc.int(st.customers),
                    l.t("buyers"),
                    loc.percent(if st.customers > 0 { st.buyers as f64 / st.customers as f64 } else { 0.0 }),
                    l.t("revenue"),
                    loc.int(st.revenue.max(0.0).round() as u64)
                ),
                None => String::new(),
            };
            let seg: Vec<String> = p.segment.traits.iter().chain(&p.segment.did).cloned().collect();
            let delete = if s.role >= Role::Analyst {
                format!(
                    "<form method=\"post\" action=\"/personas/delete\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                     <input type=\"hidden\" name=\"project\" value=\"{}\"><input type=\"hidden\" name=\"key\" value=\"{}\">\
                     <button class=\"link\" type=\"submit\">{}</button></form>",
                    esc(&s.csrf),
                    esc(&s.project),
                    esc(&p.key),
                    l.t("delete")
                )
            } else {
                String::new()
            };
            format!(
                "<article class=\"persona\" id=\"persona-{key}\"><h2>{name}</h2><p class=\"muted\">{occupation}</p>{quote}{numbers}\
                 <div class=\"cols\"><div><h3>{goals_l}</h3><ul>{goals}</ul></div><div><h3>{needs_l}</h3><ul>{needs}</ul></div>\
                 <div><h3>{pains_l}</h3><ul>{pains}</ul></div><div><h3>{channels_l}</h3><ul>{channels}</ul></div></div>\
                 <p class=\"muted small\">{seg_l}: <code>{seg}</code> {delete}</p></article>",
                key = esc(&p.key),
                name = esc(&persona_label(p)),
                occupation = esc(&p.occupation),
                quote = if p.quote.is_empty() { String::new() } else { format!("<blockquote>{}</blockquote>", esc(&p.quote)) },
                goals_l = l.t("persona_goals"),
                goals = items(&p.goals),
                needs_l = l.t("persona_needs"),
                needs = items(&p.needs),
                pains_l = l.t("persona_pains"),
                pains = items(&p.pains),
                channels_l = l.t("persona_channels"),
                channels = items(&p.channels),
                seg_l = l.t("segment_rule"),
                seg = esc(&if seg.is_empty() { l.t("everyone").to_string() } else { seg.join(" · ") }),
            )
        })
        .collect();
    let err = error.map(|e| format!("<p class=\"err\" role=\"alert\">{}</p>", esc(&e))).unwrap_or_default();
    let form = if s.role >= Role::Analyst {
        format!(
            "<form class=\"panel\" method=\"post\" action=\"/personas\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <input type=\"hidden\" name=\"project\" value=\"{proj}\"><h2>{new}</h2>\
             <label for=\"p-key\">{key_l}</label><input id=\"p-key\" name=\"key\" required placeholder=\"maria\">\
             <label for=\"p-name\">{name_l}</label><input id=\"p-name\" name=\"name\" required>\
             <label for=\"p-age\">{age_l}</label><input id=\"p-age\" name=\"age\" type=\"number\" min=\"0\" max=\"120\">\
             <label for=\"p-occupation\">{occ_l}</label><input id=\"p-occupation\" name=\"occupation\">\
             <label for=\"p-quote\">{quote_l}</label><input id=\"p-quote\" name=\"quote\">\
             <label for=\"p-goals\">{goals_l}</label><textarea id=\"p-goals\" name=\"goals\" rows=\"2\"></textarea>\
             <label for=\"p-needs\">{needs_l}</label><textarea id=\"p-needs\" name=\"needs\" rows=\"2\"></textarea>\
             <label for=\"p-pains\">{pains_l}</label><textarea id=\"p-pains\" name=\"pains\" rows=\"2\"></textarea>\
             <label for=\"p-channels\">{channels_l}</label><textarea id=\"p-channels\" name=\"channels\" rows=\"2\"></textarea>\
             <label for=\"p-traits\">{traits_l}</label><textarea id=\"p-traits\" name=\"traits\" rows=\"2\" placeholder=\"gender = female&#10;age >= 30\"></textarea>\
             <label for=\"p-did\">{did_l}</label><textarea id=\"p-did\" name=\"did\" rows=\"2\" placeholder=\"purchase\"></textarea>\
             <p class=\"muted\">{hint}</p><button type=\"submit\">{save}</button></form>",
            csrf = esc(&s.csrf),
            proj = esc(&s.project),
            new = l.t("new_persona"),
            key_l = l.t("persona_key"),
            name_l = l.t("persona_name"),
            age_l = l.t("age"),
            occ_l = l.t("occupation"),
            quote_l = l.t("quote"),
            goals_l = l.t("persona_goals"),
            needs_l = l.t("persona_needs"),
            pains_l = l.t("persona_pains"),
            channels_l = l.t("persona_channels"),
            traits_l = l.t("persona_traits"),
            did_l = l.t("did_event"),
            hint = l.t("persona_hint"),
            save = l.t("save"),
        )
    } else {
        String::new()
    };
    let main = format!(
        "<h1>{}</h1><p><a href=\"/maps?project={}\">← {}</a></p>{err}<div class=\"persona-grid\">{cards}</div>{form}",
        l.t("personas"),
        enc(&s.project),
        l.t("maps"),
    );
    (status, Html(shell(s, "maps", l.t("personas"), &main))).into_response()
}

pub(crate) async fn save_persona(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Response {
    let Member { s, f, .. } = m;
    let lines = |k: &str| -> Vec<String> {
        f.get(k)
            .map(|t| t.lines().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let age = match param(&f, "age") {
        a if a.is_empty() => None,
        a => match a.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                return personas_page(&st, &s, Some(format!("age: '{a}' is not a number")), StatusCode::BAD_REQUEST)
                    .await
            }
        },
    };
    let p = Persona {
        key: param(&f, "key"),
        name: param(&f, "name"),
        age,
        occupation: param(&f, "occupation"),
        quote: param(&f, "quote"),
        goals: lines("goals"),
        needs: lines("needs"),
        pains: lines("pains"),
        channels: lines("channels"),
        segment: Segment { traits: lines("traits"), did: lines("did"), ..Segment::default() },
    };
    if let Err(e) = p.validate() {
        let msg = e.issues().iter().map(|i| format!("{}: {}", i.field, i.reason)).collect::<Vec<_>>().join("; ");
        return personas_page(&st, &s, Some(msg), StatusCode::BAD_REQUEST).await;
    }
    let saved = st.meta.save_persona(&s.project, &p.key, &serde_json::to_string(&p).unwrap_or_default(), (st.clock)());
    if saved.is_ok() {
        crate::audit::record(&st, &s, Done::new(Action::PersonaSave, Some(&s.project), &p.key));
    }
    redirect_or(&s, saved.map(|()| format!("/personas?project={}#persona-{}", enc(&s.project), p.key)))
}

pub(crate) async fn delete_persona(State(st): State<Arc<WebState>>, m: Member<Analyst>) -> Response {
    let key = m.field("key").to_string();
    map_action(&st, m, |meta, s| {
        meta.delete_persona(&s.project, &key)?;
        crate::audit::record(&st, s, Done::new(Action::PersonaDelete, Some(&s.project), &key));
        Ok(format!("/personas?project={}", enc(&s.project)))
    })
}
