//! The web app's components: the page frame ([`layout`]), form fields with their problems ([`form`]) and charts
//! ([`chart`]). Components never import pages; pages compose components.

pub mod chart;
pub mod form;
pub mod layout;
pub mod settings;
pub mod stage_editor;
