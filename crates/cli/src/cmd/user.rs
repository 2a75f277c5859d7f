//! `tropa user create|list|password`: the people who sign in to the web app, with their roles.

use std::io::BufRead;
use std::path::Path;

use clap::{Args, Subcommand};
use serde_json::json;
use tropa_app::audit::{Action, Done};
use tropa_meta::Role;

use crate::lang::tr;
use crate::table::{print, print_json, Table};
use crate::{OutFormat, UserError};
use tropa_app::layout::open_meta;
use tropa_app::now_ms;

#[derive(Args)]
pub struct UserArgs {
    #[command(subcommand)]
    cmd: UserCmd,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a user; without --password-stdin a random password is made and printed once.
    Create {
        #[arg(long)]
        email: String,
        /// admin (manages the instance: projects, users, members; admin in every project), or the role in the
        /// projects given with --project: admin (keys, members), analyst (edits reports and maps), viewer (reads).
        #[arg(long, default_value = "viewer")]
        role: String,
        /// A project the user works in with --role (repeat for several; default: the global --project, else
        /// `default`). Ignored for an instance admin, who may open every project.
        #[arg(long = "in", value_name = "PROJECT")]
        projects: Vec<String>,
        /// Read the password from the first line of standard input (at least 10 characters).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users (never their passwords).
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
    },
    /// Set a user's password (from the first line of standard input); signs them out everywhere.
    Password {
        #[arg(long)]
        email: String,
    },
}

fn stdin_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub fn run(root: &Path, project: Option<&str>, args: UserArgs) -> anyhow::Result<()> {
    let meta = open_meta(root)?;
    match args.cmd {
        UserCmd::Create { email, role, projects, password_stdin } => {
            let role = Role::parse(&role)?;
            let projects = if projects.is_empty() {
                vec![project.unwrap_or(tropa_app::layout::DEFAULT_PROJECT).to_string()]
            } else {
                projects
            };
            if role != Role::Admin {
                for p in &projects {
                    if meta.project(p)?.is_none() {
                        return Err(UserError::arg(
                            &format!("--in {p}"),
                            tr(
                                "no such project: create it with tropa project create",
                                "такого проекта нет: создайте его командой tropa project create",
                            ),
                        ));
                    }
                }
            }
            let (password, generated) =
                if password_stdin { (stdin_line()?, false) } else { (tropa_meta::random_password()?, true) };
            let u = meta.create_user(&email, role, &password, now_ms())?;
            let detail = if role == Role::Admin {
                json!({"role": role.as_str()})
            } else {
                json!({"role": role.as_str(), "projects": projects})
            };
            super::audit::record(&meta, Done::new(Action::UserCreate, None, &u.email).with(detail))?;
            if role == Role::Admin {
                print(&format!("{} {} ({})\n", tr("created user", "создан пользователь"), u.email, u.role.as_str()))?;
            } else {
                for p in &projects {
                    meta.set_member(p, u.id, role)?;
                }
                print(&format!(
                    "{} {} ({} {} {})\n",
                    tr("created user", "создан пользователь"),
                    u.email,
                    u.role.as_str(),
                    tr("in", "в"),
                    projects.join(", ")
                ))?;
            }
            if generated {
                print(&format!(
                    "{}: {password}\n{}\n",
                    tr("password", "пароль"),
                    tr("it is shown only now", "он показан только сейчас")
                ))?;
            }
            Ok(())
        }
        UserCmd::List { format } => {
            let users = meta.users()?;
            if format == OutFormat::Json {
                return print_json(&users);
            }
            let mut t = Table::new(&["e-mail", tr("role", "роль"), tr("created", "создан")]);
            for u in users {
                t.row(vec![u.email, u.role.as_str().into(), tropa_core::time::format_ts(u.created_at)]);
            }
            print(&t.render())
        }
        UserCmd::Password { email } => {
            let u = meta
                .user(&email)?
                .ok_or_else(|| UserError(format!("{} '{email}'", tr("no such user", "нет такого пользователя"))))?;
            meta.set_password(u.id, &stdin_line()?)?;
            super::audit::record(&meta, Done::new(Action::UserPasswordReset, None, &u.email))?;
            print(&format!("{} {}\n", tr("new password set for", "новый пароль установлен для"), u.email))
        }
    }
}
