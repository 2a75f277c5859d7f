//! The pages: each module answers its routes (declared in `lib.rs`) by composing the components of `ui`.
//!
//! Transitional prelude: the names pages imported from the old single module, re-exported until every page is
//! on templates.

pub mod audit;
pub mod builder;
pub mod customers;
pub mod export;
pub mod funnels;
pub mod maps;
pub mod members;
pub mod overview;
pub mod paths;
pub mod project_settings;
pub mod retention;
pub mod saved;
pub mod settings;
pub mod sign_in;
pub mod stages;

pub(crate) use crate::access::{in_project, project_param_for, Admin, Member};
pub(crate) use crate::error::internal;
pub(crate) use crate::i18n;
pub(crate) use crate::session::{checked, origin, redirect, session, Session};
pub(crate) use crate::throttle;
pub(crate) use crate::ui::form;
pub(crate) use crate::ui::layout::{esc, page_html as page, shell_html as shell};
pub(crate) use builder::{analysis, builder_page, project_engine};
