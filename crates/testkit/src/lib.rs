//! tropa-testkit
