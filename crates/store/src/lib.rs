//! tropa-store
