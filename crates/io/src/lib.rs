//! tropa-io
