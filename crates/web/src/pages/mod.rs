//! The pages: each module answers its routes (declared in `lib.rs`) by composing the components of `ui`. A page
//! imports what it uses from `crate::session`, `crate::access`, `crate::error` and `crate::ui`; pages import
//! other pages only where one shows another's part (the saved-reports panel, the settings tabs).

pub mod attribution;
pub mod audit;
pub mod builder;
pub mod customers;
pub mod dashboards;
pub mod dictionary;
pub mod experiments;
pub mod export;
pub mod feedback;
pub mod funnels;
pub mod maps;
pub mod members;
pub mod missing;
pub mod overview;
pub mod paths;
pub mod project_settings;
pub mod retention;
pub mod saved;
pub mod settings;
pub mod sign_in;
pub mod stages;
pub mod surveys;
