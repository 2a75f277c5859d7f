//! `tropa map`: journey maps of `--project` — `templates`, `create --template KEY`, `list`, `show ID` (Markdown
//! with the data lanes), `export ID --format pdf|png|svg|md|json|yaml`, `import FILE` (YAML or JSON, a new map
//! or with `--into ID` a new version of one), and `persona import FILE` / `persona list`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;
use tropa_app::audit::{map_target, Action, Done};
use tropa_app::maps::{self, Format};
use tropa_core::cjm::persona::Persona;
use tropa_core::cjm::{template, JourneyMap};
use tropa_core::lang::Lang;
use tropa_meta::Meta;

use crate::lang::tr;
use crate::table::{int, print, print_json, Table};
use crate::{OutFormat, UserError};
use tropa_app::layout::open_meta;
use tropa_app::now_ms;

#[derive(Args)]
pub struct MapArgs {
    #[command(subcommand)]
    cmd: MapCmd,
}

#[derive(Subcommand)]
enum MapCmd {
    /// The ready maps for common businesses.
    Templates,
    /// Create a map from a template (and its personas, if the project has none of that key).
    Create {
        #[arg(long, default_value = "online_store")]
        template: String,
        /// Language of the map's texts: ru or en.
        #[arg(long, default_value = "ru")]
        lang: String,
        /// A title other than the template's.
        #[arg(long)]
        title: Option<String>,
    },
    /// The maps of the project.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// A map with its data lanes, as Markdown.
    Show {
        id: i64,
        #[arg(long)]
        persona: Option<String>,
    },
    /// A map as PDF, PNG or SVG (with its data), Markdown, or its document as JSON/YAML.
    Export {
        id: i64,
        #[arg(long)]
        format: String,
        /// The file to write (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Read the data lanes for this persona's customers.
        #[arg(long)]
        persona: Option<String>,
        /// An earlier version (default: the latest).
        #[arg(long)]
        version: Option<i64>,
    },
    /// Import a map document (.yaml, .yml or .json): a new map, or with --into a new version of one.
    Import {
        file: PathBuf,
        #[arg(long)]
        into: Option<i64>,
    },
    /// Personas: `persona list`, `persona import FILE` (.yaml/.json, by key).
    Persona {
        #[command(subcommand)]
        cmd: PersonaCmd,
    },
}

#[derive(Subcommand)]
enum PersonaCmd {
    List,
    Import { file: PathBuf },
}

fn read_doc(path: &Path) -> anyhow::Result<(String, bool)> {
    let text = std::fs::read_to_string(path).map_err(|e| UserError(format!("{}: {e}", path.display())))?;
    let json = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "json" => true,
        "yaml" | "yml" => false,
        _ => {
            return Err(UserError::arg(
                &path.display().to_string(),
                tr("use a .yaml, .yml or .json file", "нужен файл .yaml, .yml или .json"),
            ))
        }
    };
    Ok((text, json))
}

fn bad_doc(path: &Path, e: tropa_core::cjm::MapError) -> anyhow::Error {
    let lines: Vec<String> = e.issues().iter().map(|i| format!("  {}: {}", i.field, i.reason)).collect();
    UserError(format!("{}:\n{}", path.display(), lines.join("\n"))).into()
}

/// The latest (or a given) version of a map of `project`, read.
fn load(meta: &Meta, project: &str, id: i64, version: Option<i64>) -> anyhow::Result<(JourneyMap, i64)> {
    maps::load(meta, project, id, version).map_err(super::app_error)
}

/// The segment of a persona of the project.
fn persona_of(meta: &Meta, project: &str, key: &str) -> anyhow::Result<Persona> {
    maps::persona(meta, project, key).map_err(super::app_error)
}

pub fn run(root: &Path, data: &Path, project: &str, args: MapArgs) -> anyhow::Result<()> {
    let meta = open_meta(root)?;
    match args.cmd {
        MapCmd::Templates => {
            let mut t =
                Table::new(&[tr("key", "ключ"), tr("title", "название"), tr("stages", "этапов"), tr("for", "для")]);
            for tpl in template::all() {
                let m = tpl.instantiate(crate::lang::code());
                let business = tpl.business.get(crate::lang::code()).to_string();
                t.row(vec![tpl.key.clone(), m.title.clone(), m.stages.len().to_string(), business]);
            }
            print(&t.render())
        }
        MapCmd::Create { template, lang, title } => {
            let lang = Lang::from_code(&lang)
                .ok_or_else(|| UserError::arg("--lang", tr("use ru or en", "используйте ru или en")))?;
            let by = maps::Author { user: None, now: now_ms() };
            let id = maps::create_from_template(&meta, project, (&template, lang), title.as_deref(), by)
                .map_err(super::app_error)?;
            let title = meta.map(project, id)?.map(|m| m.title);
            let done = Done::new(Action::MapCreate, Some(project), map_target(id, title.as_deref()));
            super::audit::record(&meta, done.with(json!({"template": template, "lang": lang.code()})))?;
            print(&format!("{} {id}\n", tr("created map", "создана карта")))
        }
        MapCmd::List { format } => {
            let list = meta.maps(project)?;
            if format == OutFormat::Json {
                return print_json(&list);
            }
            let mut t = Table::new(&["id", tr("title", "название"), tr("version", "версия")]);
            for m in &list {
                t.row(vec![m.id.to_string(), m.title.clone(), int(m.version as u64)]);
            }
            print(&t.render())
        }
        MapCmd::Show { id, persona } => {
            let (map, _) = load(&meta, project, id, None)?;
            let p = persona.as_deref().map(|k| persona_of(&meta, project, k)).transpose()?;
            let store = super::open_existing(data)?;
            let calendar = tropa_app::settings::project_or_default(&meta, project).map_err(super::app_error)?.calendar;
            let mut d = super::engine_report(maps::data(&store, &map, p.as_ref().map(|p| &p.segment), calendar))?;
            if let Some(d) = d.as_mut() {
                maps::apply_spend(d, &tropa_app::costs::rows(&meta, project, None, None).map_err(super::app_error)?);
            }
            let md = tropa_core::cjm::markdown::to_markdown(
                &map,
                d.as_ref().map(|d| &d.current),
                d.as_ref().and_then(|d| d.previous.as_ref()),
            );
            print(&md)
        }
        MapCmd::Export { id, format, output, persona, version } => {
            let fmt = Format::parse(&format).ok_or_else(|| {
                UserError::arg(
                    "--format",
                    tr("use pdf, png, svg, md, json or yaml", "используйте pdf, png, svg, md, json или yaml"),
                )
            })?;
            let (map, v) = load(&meta, project, id, version)?;
            let p = persona.as_deref().map(|k| persona_of(&meta, project, k)).transpose()?;
            let needs_data = !matches!(fmt, Format::Json | Format::Yaml);
            let d = if needs_data {
                let store = super::open_existing(data)?;
                let calendar =
                    tropa_app::settings::project_or_default(&meta, project).map_err(super::app_error)?.calendar;
                let mut d = super::engine_report(maps::data(&store, &map, p.as_ref().map(|p| &p.segment), calendar))?;
                if let Some(d) = d.as_mut() {
                    let spend = tropa_app::costs::rows(&meta, project, None, None).map_err(super::app_error)?;
                    maps::apply_spend(d, &spend);
                }
                d
            } else {
                None
            };
            let label = p.as_ref().map(|p| match p.age {
                Some(a) => format!("{}, {a}", p.name),
                None => p.name.clone(),
            });
            let sub = maps::subtitle(&map, label.as_deref(), d.as_ref());
            let foot = maps::footer(&map, v, d.as_ref());
            let bytes = maps::export(&map, d.as_ref(), &sub, &foot, fmt).map_err(UserError)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, &bytes).map_err(|e| UserError(format!("{}: {e}", path.display())))?;
                    Ok(())
                }
                None => Ok(std::io::stdout().write_all(&bytes)?),
            }
        }
        MapCmd::Import { file, into } => {
            let (text, json) = read_doc(&file)?;
            let map = if json { JourneyMap::from_json(&text) } else { JourneyMap::from_yaml(&text) }
                .map_err(|e| bad_doc(&file, e))?;
            let summary = format!("{} {}", tr("imported from", "импорт из"), file.display());
            match into {
                Some(id) => {
                    let v =
                        meta.save_map_version(project, id, None, &map.title, &map.to_json(), &summary, None, now_ms())?;
                    let done = Done::new(Action::MapImport, Some(project), map_target(id, Some(&map.title)));
                    super::audit::record(&meta, done.with(json!({"version": v})))?;
                    print(&format!("{} {id} v{v}\n", tr("map", "карта")))
                }
                None => {
                    let m = meta.create_map(project, &map.title, &map.to_json(), &summary, None, now_ms())?;
                    let done = Done::new(Action::MapImport, Some(project), map_target(m.id, Some(&m.title)));
                    super::audit::record(&meta, done.with(json!({"version": 1})))?;
                    print(&format!("{} {}\n", tr("created map", "создана карта"), m.id))
                }
            }
        }
        MapCmd::Persona { cmd: PersonaCmd::List } => {
            let mut t =
                Table::new(&[tr("key", "ключ"), tr("name", "имя"), tr("age", "возраст"), tr("segment", "сегмент")]);
            for (key, doc) in meta.personas(project)? {
                let p = Persona::from_json(&doc).map_err(|e| UserError(format!("persona {key}: {e}")))?;
                let seg = p.segment.traits.iter().chain(&p.segment.did).cloned().collect::<Vec<_>>().join("; ");
                t.row(vec![key, p.name, p.age.map(|a| a.to_string()).unwrap_or_default(), seg]);
            }
            print(&t.render())
        }
        MapCmd::Persona { cmd: PersonaCmd::Import { file } } => {
            let (text, json) = read_doc(&file)?;
            let p: Persona = if json {
                serde_json::from_str(&text).map_err(|e| UserError(format!("{}: {e}", file.display())))?
            } else {
                serde_saphyr::from_str(&text).map_err(|e| UserError(format!("{}: {e}", file.display())))?
            };
            p.validate().map_err(|e| bad_doc(&file, e))?;
            meta.save_persona(project, &p.key, &serde_json::to_string(&p)?, now_ms())?;
            super::audit::record(&meta, Done::new(Action::PersonaSave, Some(project), &p.key))?;
            print(&format!("{} {}\n", tr("saved persona", "сохранена персона"), p.key))
        }
    }
}
