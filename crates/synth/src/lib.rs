//! tropa-synth
