//! The OpenAPI 3.0 document of the HTTP API, with request schemas generated from the request types
//! ([`tropa_app::request`]) by `schemars`.

use schemars::generate::SchemaSettings;
use serde_json::{json, Value};

use tropa_app::request::{
    AttributionRequest, FunnelRequest, PathsRequest, RetentionRequest, StagesRequest, StatsRequest,
};

fn error_responses() -> Value {
    let e = json!({"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({"400": e, "401": e, "403": e, "404": e, "413": e, "415": e, "429": e, "500": e})
}

fn operation(summary: &str, body: Option<Value>, answer: &str, security: &str) -> Value {
    let mut responses = error_responses();
    responses["200"] = json!({"description": answer, "content": {"application/json": {"schema": {"type": "object"}}}});
    // a read endpoint takes a read key or the web app's session cookie
    let security = match security {
        "readKey" => json!([{"readKey": []}, {"session": []}]),
        other => json!([{other: []}]),
    };
    let mut op = json!({"summary": summary, "responses": responses, "security": security});
    if let Some(schema) = body {
        op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    op
}

/// The whole document.
pub fn document() -> Value {
    let mut gen = SchemaSettings::openapi3().into_generator();
    let mut schema = |f: fn(&mut schemars::SchemaGenerator) -> schemars::Schema| f(&mut gen).to_value();
    let stats = schema(|g| g.subschema_for::<StatsRequest>());
    let funnel = schema(|g| g.subschema_for::<FunnelRequest>());
    let paths = schema(|g| g.subschema_for::<PathsRequest>());
    let retention = schema(|g| g.subschema_for::<RetentionRequest>());
    let stages = schema(|g| g.subschema_for::<StagesRequest>());
    let attribution = schema(|g| g.subschema_for::<AttributionRequest>());
    let mut components: serde_json::Map<String, Value> = gen.take_definitions(true).into_iter().collect();
    components.insert(
        "Error".into(),
        json!({"type": "object", "required": ["error"], "properties": {
            "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "description": "stable code, e.g. invalid_message, invalid_key, overloaded"},
                "message": {"type": "string"},
                "field": {"type": "string", "nullable": true, "description": "the field at fault, e.g. batch[3].event"}}},
            "rejected": {"type": "array", "items": {"type": "object", "properties": {
                "index": {"type": "integer"}, "code": {"type": "string"}, "field": {"type": "string"},
                "message": {"type": "string"}}}}}}),
    );
    components.insert(
        "Message".into(),
        json!({"type": "object", "description": "a Segment-spec message: type, event/name, userId or anonymousId, timestamp, messageId, properties, traits, context",
               "additionalProperties": true}),
    );
    let message = json!({"$ref": "#/components/schemas/Message"});
    let batch = json!({"type": "object", "required": ["batch"], "properties": {
        "batch": {"type": "array", "items": message}, "sentAt": {"type": "string"}, "writeKey": {"type": "string"},
        "context": {"type": "object"}}});
    let ingest = |what: &str, body: &Value| {
        let mut op = operation(
            what,
            Some(body.clone()),
            "stored durably: {\"success\":true,\"accepted\":n,\"duplicates\":n}",
            "writeKey",
        );
        op["parameters"] = json!([{"name": "partial", "in": "query", "required": false, "schema": {"type": "boolean"},
            "description": "store the valid messages of a batch and list the rejected ones (default: all or nothing)"}]);
        json!({"post": op})
    };
    let mut paths_doc = serde_json::Map::new();
    for kind in ["track", "identify", "page", "screen", "group", "alias"] {
        paths_doc.insert(format!("/v1/{kind}"), ingest(&format!("send one {kind} message"), &message));
    }
    paths_doc.insert("/v1/batch".into(), ingest("send a batch of messages", &batch));
    paths_doc.insert("/v1/import".into(), ingest("send a batch of historical messages", &batch));
    let read =
        |summary: &str, body: Value, answer: &str| json!({"post": operation(summary, Some(body), answer, "readKey")});
    let mut stats_path = read("events per name, channel, touchpoint and day", stats, "the stats report");
    stats_path["get"] = operation("the stats report without filters", None, "the stats report", "readKey");
    paths_doc.insert("/api/v1/stats".into(), stats_path);
    paths_doc.insert("/api/v1/funnel".into(), read("conversion through ordered steps", funnel, "the funnel report"));
    paths_doc.insert("/api/v1/paths".into(), read("top paths after or before an event", paths, "the paths report"));
    paths_doc.insert("/api/v1/retention".into(), read("cohort retention", retention, "the retention report"));
    paths_doc.insert("/api/v1/stages".into(), read("journey stages and lifecycle", stages, "the stages report"));
    paths_doc.insert(
        "/api/v1/attribution".into(),
        read(
            "every attribution model side by side, with the spend of its days (and per period when asked)",
            attribution,
            "the attribution report with its economics",
        ),
    );
    let mut costs_get = operation("the project's ad spend", None, "the spend rows", "readKey");
    costs_get["parameters"] = json!([
        {"name": "from", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}},
        {"name": "to", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}}]);
    let mut costs_post = operation(
        "import a cost file (the exports of Yandex Direct, VK Ads, Google Ads or date, source, medium, campaign, \
         cost, currency); all or nothing, a re-import replaces the days it covers",
        None,
        "the import: rows stored and days replaced (else 400 with every problem, its line and field)",
        "writeKey",
    );
    costs_post["requestBody"] = json!({"required": true, "content": {"text/csv": {"schema": {"type": "string", "description": "the CSV text"}}}});
    let text_param = |name: &str, what: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": what});
    costs_post["parameters"] = json!([
        text_param("source", "the utm_source every row of the file is spent on (when the file has no source column)"),
        text_param("medium", "the utm_medium of every row (when the file has no medium column)"),
        text_param("currency", "the currency of the file's costs (when it has no currency column)"),
        text_param("rate", "a rate to the project's currency, CUR=RATE (e.g. USD=92.5); repeatable"),
        text_param("add_vat", "add VAT at this percent (0–100) to costs exported without it")
    ]);
    let costs = json!({"get": costs_get, "post": costs_post});
    paths_doc.insert("/api/v1/costs".into(), costs);
    let mut customer = operation("one customer's identities, merges and timeline", None, "the customer", "readKey");
    customer["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"},
        "description": "an anonymous id or user id"}]);
    paths_doc.insert("/api/v1/customers/{id}".into(), json!({"get": customer}));
    let experiments = operation("the project's experiments (A/B tests) as defined", None, "the definitions", "readKey");
    paths_doc.insert("/api/v1/experiments".into(), json!({"get": experiments}));
    let mut experiment = operation(
        "one experiment evaluated now: variants, sample-ratio check, statistics per metric, decision, and the journey \
         per variant (`report.journey`: stages and funnel steps, each difference with its interval, Holm-corrected)",
        None,
        "the evaluation",
        "readKey",
    );
    experiment["parameters"] = json!([{"name": "key", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the experiment's key"}]);
    let params = experiment["parameters"].clone();
    let mut put_experiment = operation(
        "register or replace an experiment's definition (the JSON of `tropa experiment create`; a signed-in analyst)",
        Some(json!({"type": "object", "required": ["key", "variants", "primary"], "properties": {
            "capping": {"type": "object", "description": "caps each customer's revenue: {\"percentile\": 0.99} or {\"fixed\": 10000}"},
            "funnel": {"type": "object", "description": "the funnel compared per variant: {\"steps\": [\"begin_checkout\", \"purchase\"], \"window\": \"7d\"}"}
        }})),
        "the definition saved",
        "session",
    );
    put_experiment["parameters"] = params.clone();
    let mut delete_experiment = operation("delete an experiment's definition", None, "the key deleted", "session");
    delete_experiment["parameters"] = params;
    paths_doc.insert(
        "/api/v1/experiments/{key}".into(),
        json!({"get": experiment, "put": put_experiment, "delete": delete_experiment}),
    );
    // voice of the customer: surveys (read with a key, defined by a signed-in analyst), scores and the answers
    let surveys = operation("the project's surveys as defined", None, "the surveys", "readKey");
    paths_doc.insert("/api/v1/surveys".into(), json!({"get": surveys}));
    let key = json!([{"name": "key", "in": "path", "required": true, "schema": {"type": "string"},
        "description": "the survey's key (1 to 40 of a-z, 0-9, _)"}]);
    let mut put = operation(
        "create or replace a survey (the JSON document of `tropa survey create`; a signed-in analyst or admin)",
        Some(json!({"type": "object", "required": ["key", "kind", "question"]})),
        "the survey saved",
        "session",
    );
    put["parameters"] = key.clone();
    let mut delete =
        operation("delete a survey (its answers stay: they are events)", None, "the key deleted", "session");
    delete["parameters"] = key;
    paths_doc.insert("/api/v1/surveys/{key}".into(), json!({"put": put, "delete": delete}));
    let scores = operation(
        "NPS, CSAT and CES with 95 % intervals by the stage at the time of the answer, channel, period and survey",
        None,
        "the feedback report",
        "readKey",
    );
    paths_doc.insert("/api/v1/feedback".into(), json!({"get": scores}));
    let list = operation(
        "the latest answers, reviews and tickets with their stage at the time, sentiment and themes",
        None,
        "the rows",
        "readKey",
    );
    paths_doc.insert("/api/v1/feedback/list".into(), json!({"get": list}));
    let themes =
        operation("the project's feedback theme list (its own or the built-in one)", None, "the list", "readKey");
    let theme_list = json!({"type": "object", "required": ["theme"], "properties": {"theme": {"type": "array",
        "items": {"type": "object", "required": ["key", "name_en", "name_ru"]}}}});
    let put_all = operation(
        "replace the project's theme list (a signed-in analyst or admin; every problem named at its field)",
        Some(theme_list),
        "the list saved",
        "session",
    );
    let reset = operation("reset the theme list to the built-in one", None, "the built-in list", "session");
    paths_doc.insert("/api/v1/feedback/themes".into(), json!({"get": themes, "put": put_all, "delete": reset}));
    let theme_key = json!([{"name": "key", "in": "path", "required": true, "schema": {"type": "string"},
        "description": "the theme's key (a-z, 0-9, _ or -)"}]);
    let mut put_one = operation(
        "save one theme: replaced by key or added at the end (name_en, name_ru, en and ru terms)",
        Some(json!({"type": "object", "required": ["name_en", "name_ru"]})),
        "the list saved",
        "session",
    );
    put_one["parameters"] = theme_key.clone();
    let mut delete_one = operation("remove one theme from the project's list", None, "the list saved", "session");
    delete_one["parameters"] = theme_key;
    paths_doc.insert("/api/v1/feedback/themes/{key}".into(), json!({"put": put_one, "delete": delete_one}));
    json!({
        "openapi": "3.0.3",
        "info": {"title": "tropa", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Segment-compatible ingestion and the journey analytics query API of tropa."},
        "paths": paths_doc,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "writeKey": {"type": "http", "scheme": "basic", "description": "the write key as the user name, empty password"},
                "readKey": {"type": "http", "scheme": "bearer", "description": "a read key (tr_…)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "tropa_session",
                            "description": "a signed-in user of the web app; pick the project with ?project=ID"}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_documented_and_request_schemas_come_from_the_types() {
        let doc = super::document();
        for path in [
            "/v1/track",
            "/v1/batch",
            "/api/v1/funnel",
            "/api/v1/customers/{id}",
            "/api/v1/stages",
            "/api/v1/surveys/{key}",
            "/api/v1/feedback",
            "/api/v1/attribution",
            "/api/v1/costs",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path}");
        }
        let funnel = &doc["components"]["schemas"]["FunnelRequest"];
        assert!(funnel["properties"]["steps"].is_object(), "{funnel}");
        assert!(doc["components"]["schemas"]["Filters"]["properties"]["did_not"].is_object());
        assert!(doc["paths"]["/api/v1/costs"]["post"]["security"][0]["writeKey"].is_array());
        let attribution = &doc["paths"]["/api/v1/attribution"]["post"]["requestBody"]["content"]["application/json"];
        assert!(attribution["schema"].is_object(), "{attribution}");
    }
}
