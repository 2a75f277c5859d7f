//! The web app's components: the page frame ([`layout`]), form fields with their problems ([`form`]), pickers over the dictionary ([`picker`]) and charts
//! ([`chart`]). Components never import pages; pages compose components.

pub mod chart;
pub mod form;
pub mod layout;
pub mod picker;
pub mod pin;
pub mod settings;
pub mod stage_editor;
