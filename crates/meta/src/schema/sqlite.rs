//! The schema in SQLite's dialect: integers are `INTEGER` (an id is the rowid alias `INTEGER PRIMARY KEY`), bytes
//! `BLOB`, booleans `INTEGER` 0/1; the guards are `BEFORE UPDATE`/`BEFORE DELETE` triggers that `RAISE(ABORT)`.
//! The text is what SQLite keeps in `sqlite_master`, the same (up to white space) as the SQL of the migrations
//! before they were data — `schema/tests.rs` holds that SQL and checks it.

use super::{column_tail, create_index, create_table, fill, quote, rebuild, Column, Migration, Step, Type, Value};

/// The SQL of one migration, for `execute_batch`.
pub fn render(m: &Migration) -> String {
    m.steps.iter().map(step).collect()
}

fn step(s: &Step) -> String {
    match s {
        Step::CreateTable(t) => create_table(t, column),
        Step::CreateIndex(i) => create_index(i),
        Step::AddColumn { table, column: c } => format!("ALTER TABLE {table} ADD COLUMN {};\n", column(c)),
        Step::Fill { table, columns, select } => fill(table, columns, select),
        Step::AppendOnly { table, message } => {
            refuse(&format!("{table}_no_update"), "UPDATE", table, message)
                + &refuse(&format!("{table}_no_delete"), "DELETE", table, message)
        }
        Step::WriteOnce { table, message } => refuse(&format!("{table}_kept"), "UPDATE", table, message),
        Step::Rebuild(t) => rebuild(t, column),
    }
}

fn refuse(trigger: &str, event: &str, table: &str, message: &str) -> String {
    format!("CREATE TRIGGER {trigger} BEFORE {event} ON {table} BEGIN SELECT RAISE(ABORT, {}); END;\n", quote(message))
}

fn column(c: &Column) -> String {
    let ty = match c.ty {
        Type::Id | Type::Integer | Type::Bool => "INTEGER",
        Type::Text => "TEXT",
        Type::Blob => "BLOB",
    };
    let mut out = format!("{} {ty}", c.name);
    if c.primary_key {
        out.push_str(" PRIMARY KEY");
    }
    column_tail(c, &mut out, literal);
    out
}

fn literal(v: &Value) -> String {
    match v {
        Value::Integer(i) => i.to_string(),
        Value::Text(t) => quote(t),
        Value::Bool(b) => i64::from(*b).to_string(),
    }
}
